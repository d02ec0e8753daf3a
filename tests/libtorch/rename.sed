# The mechanical rename that ports a libtorch program to tapegrad:
#   sed -f rename.sed program.cpp > ported.cpp
s|<torch/torch\.h>|<tapegrad/tapegrad.hpp>|g
s/\<TORCH_MODULE\>/TG_MODULE/g
s/\<torch::/tg::/g
s/\<namespace torch\>/namespace tg/g

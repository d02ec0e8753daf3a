#include <tapegrad/core/detail/impl.hpp>
#include <tapegrad/data/fashion_mnist.hpp>
#include <tapegrad/data/idx.hpp>

#include <fstream>

namespace tg::data {

using tg::detail::str;

std::pair<Tensor, Tensor> load_fashion_mnist(const std::string& dir, bool train) {
  auto find = [&](const std::string& name) {
    for (const char* suffix : {".gz", ""})
      if (std::ifstream(dir + "/" + name + suffix)) return dir + "/" + name + suffix;
    throw IOError(str("load_fashion_mnist: ", dir, "/", name, "[.gz] not found; install Debian's "
                      "dataset-fashion-mnist package (apt-get install dataset-fashion-mnist) or "
                      "pass the folder that holds the IDX files"));
  };
  const std::string split = train ? "train" : "t10k";
  const std::string images_path = find(split + "-images-idx3-ubyte");
  const std::string labels_path = find(split + "-labels-idx1-ubyte");
  Tensor images = read_idx(images_path), labels = read_idx(labels_path);
  const Shape shape = images.shape();
  if (shape.size() != 3 || shape[1] != 28 || shape[2] != 28 || labels.shape() != Shape{shape[0]})
    throw IOError(str("load_fashion_mnist: ", images_path, " holds ", to_string(shape), " and ",
                      labels_path, " holds ", to_string(labels.shape()),
                      ", expected [N,28,28] images and [N] labels"));
  auto& pixels = images.mutable_value<float>();
  pixels /= 255.0f;
  pixels.reshape({shape[0], std::size_t(784)});
  return {images, labels};
}

}  // namespace tg::data

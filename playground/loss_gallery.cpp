// Writes the loss gallery (each loss and its autograd derivative, side by side) as an SVG file.
//   loss-gallery [out.svg]      (default: loss-gallery.svg)
#include "gallery.hpp"

#include <fstream>
#include <iostream>

int main(int argc, char** argv) {
  std::string path = argc > 1 ? argv[1] : "loss-gallery.svg";
  if (path == "--help" || path == "-h") {
    std::cout << "usage: loss-gallery [out.svg]\n";
    return 0;
  }
  std::ofstream out(path);
  if (!(out << playground::gallery_svg(playground::loss_gallery()))) {
    std::cerr << "loss-gallery: cannot write " << path << "\n";
    return 1;
  }
  std::cout << "wrote " << path << "\n";
}

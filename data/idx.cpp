#include <tapegrad/core/detail/impl.hpp>
#include <tapegrad/core/detail/io.hpp>
#include <tapegrad/data/idx.hpp>

#include <zlib.h>

#include <memory>
#include <string>

namespace tg::data {

using tg::detail::str;

Tensor read_idx(const std::string& path) {
  std::unique_ptr<gzFile_s, int (*)(gzFile)> file(gzopen(path.c_str(), "rb"), gzclose);
  if (!file) throw IOError(str("read_idx: cannot open ", path));
  auto corrupt = [&](const std::string& why) {
    return IOError(str("read_idx: ", path, " is not a valid IDX file: ", why));
  };
  // gzread inflates a gzip file as it goes and passes a plain file through unchanged; every
  // read asks only for the bytes the header says come next, in chunks of at most 64 KiB.
  auto read = [&](char* buffer, std::size_t size) {
    const int n = gzread(file.get(), buffer, unsigned(size));
    int err = Z_OK;
    const char* msg = gzerror(file.get(), &err);
    if (n < 0 || (err != Z_OK && err != Z_STREAM_END))
      throw IOError(str("read_idx: ", path, " is corrupt or truncated (", msg, ")"));
    return std::size_t(n);
  };
  auto byte = [](const std::string& s, std::size_t i) { return static_cast<unsigned char>(s[i]); };

  const std::string head = tg::detail::read_upto(4, read);
  if (head.size() < 4) throw corrupt(str("only ", head.size(), " bytes, shorter than a header"));
  if (head[0] != 0 || head[1] != 0)
    throw corrupt(str("bad magic number (first bytes ", int(byte(head, 0)), " ", int(byte(head, 1)),
                      ", expected 0 0)"));
  tg::detail::Element element{};
  switch (byte(head, 2)) {
    case 0x08: element = {'u', 1, true}; break;
    case 0x09: element = {'i', 1, true}; break;
    case 0x0B: element = {'i', 2, true}; break;
    case 0x0C: element = {'i', 4, true}; break;
    case 0x0D: element = {'f', 4, true}; break;
    case 0x0E: element = {'f', 8, true}; break;
    default: throw corrupt(str("unknown data type byte 0x", std::hex, int(byte(head, 2))));
  }
  const std::size_t ndim = byte(head, 3);
  const std::string dims = tg::detail::read_upto(4 * ndim, read);
  if (dims.size() < 4 * ndim)
    throw corrupt(str("truncated header: ", ndim, " dims need ", 4 + 4 * ndim, " bytes, file has ",
                      4 + dims.size()));
  Shape shape(ndim);
  for (std::size_t i = 0; i < ndim; ++i)
    for (std::size_t b = 0; b < 4; ++b) shape[i] = shape[i] << 8 | byte(dims, 4 * i + b);
  const std::size_t n = tg::detail::checked_numel(shape, str("read_idx: ", path));
  const std::size_t bytes = n * element.size;
  const std::string data = tg::detail::read_upto(bytes + 1, read);  // one more reveals excess data
  if (data.size() != bytes)
    throw corrupt(str("shape ", to_string(shape), " of ", element.size, "-byte elements needs ",
                      bytes, " data bytes, the file has ",
                      data.size() > bytes ? "more" : std::to_string(data.size())));
  auto convert = [&](auto zero) {
    auto out = tg::detail::empty_array<decltype(zero)>(shape, "read_idx");
    tg::detail::decode(reinterpret_cast<const unsigned char*>(data.data()), n, element, out.data());
    return tg::detail::make(std::move(out));
  };
  return element.size == 8 ? convert(0.0) : convert(0.0f);
}

}  // namespace tg::data

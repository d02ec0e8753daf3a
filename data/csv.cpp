#include <tapegrad/core/detail/impl.hpp>
#include <tapegrad/data/csv.hpp>

#include <cstdlib>
#include <fstream>
#include <vector>

namespace tg::data {

using tg::detail::str;

Tensor read_csv(const std::string& path, bool header, char delimiter, Dtype dtype) {
  std::ifstream in(path);
  if (!in) throw IOError(str("read_csv: cannot open ", path));
  std::vector<double> values;
  std::size_t columns = 0, rows = 0, line_number = 0;  // columns: 0 until the first row
  std::string line;
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    std::vector<std::string> cells(1);
    for (char c : line)
      if (c == delimiter) cells.emplace_back();
      else cells.back() += c;
    if (columns == 0) {  // the first non-blank line fixes the column count; with header, names
      columns = cells.size();
      if (header) continue;
    }
    if (cells.size() != columns)
      throw IOError(str("read_csv: ", path, " line ", line_number, " has ", cells.size(),
                        " columns, expected ", columns));
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const char* text = cells[c].c_str();
      char* stop = nullptr;
      double v = std::strtod(text, &stop);
      while (*stop == ' ' || *stop == '\t') ++stop;
      if (stop == text || *stop != '\0')
        throw IOError(str("read_csv: ", path, " line ", line_number, " column ", c + 1, ": '",
                          cells[c], "' is not a number"));
      values.push_back(v);
    }
    ++rows;
  }
  if (in.bad()) throw IOError(str("read_csv: error while reading ", path));
  return from_vector(values, {rows, columns}, dtype);
}

}  // namespace tg::data

#pragma once
// Numeric CSV files → a [rows, columns] tensor.
#include <string>

#include <tapegrad/core/tensor.hpp>

namespace tg::data {

// Cells are numbers (as strtod reads them: 1.5, -2e3, nan, inf) separated by `delimiter`, with
// optional spaces around them; blank lines are skipped; with `header` the first line is skipped.
// A bad cell or a row of another length is a tg::IOError naming the file, line and column.
Tensor read_csv(const std::string& path, bool header = false, char delimiter = ',',
                Dtype dtype = Dtype::float32);

}  // namespace tg::data

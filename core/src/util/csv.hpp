// CSV fields as RFC 4180 writes them, and numbers as the shortest exact text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace platbench {

// A field holding a comma, a quote, CR or LF is quoted and its quotes doubled.
std::string csv_field(std::string_view text);

// The fields joined by commas, each as csv_field() writes it, and a newline.
std::string csv_row(const std::vector<std::string>& fields);

// Shortest text that reads back as the same double; "" for NaN and infinities (missing).
std::string shortest_number(double value);

}  // namespace platbench

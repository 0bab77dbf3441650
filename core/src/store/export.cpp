// STUB: to be implemented.
#include "store/result_store.hpp"
#include <stdexcept>
namespace platbench {
void export_results(ResultStore&, std::optional<std::int64_t>, ExportFormat, std::ostream&) { throw std::logic_error("not implemented"); }
}  // namespace platbench

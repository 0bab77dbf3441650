// STUB: to be implemented.
#include "store/result_store.hpp"
#include <stdexcept>
namespace platbench {
std::unique_ptr<ResultStore> ResultStore::open(const std::filesystem::path&) { throw std::logic_error("not implemented"); }
std::unique_ptr<ResultStore> ResultStore::open_existing(const std::filesystem::path&) { throw std::logic_error("not implemented"); }
}  // namespace platbench

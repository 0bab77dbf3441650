// SHA-256 (OpenSSL's libcrypto), hex-encoded.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace platbench {

class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;
    void update(std::string_view bytes);
    void update_with_file(const std::filesystem::path& file);  // its bytes; throws std::runtime_error
    std::string hex_digest();  // finishes the hash

private:
    void* context_;
};

std::string sha256_hex(std::string_view bytes);
std::string sha256_file_hex(const std::filesystem::path& file);  // throws std::runtime_error

}  // namespace platbench

// Helpers of the blockio tests: a scratch directory on a filesystem with
// O_DIRECT (/var/tmp; tmpfs may or may not have it), removed afterwards.
#pragma once

#include "temp_dir.hpp"

namespace platbench::blockio::test {

class TempDir : public ::test::TempDir {
public:
    TempDir() : ::test::TempDir("platbench-blockio-test", "/var/tmp") {}
};

}  // namespace platbench::blockio::test

// The parts of OpenBLAS (Debian's libopenblas, which carries LAPACK too) that
// linpack calls: LU factorisation with partial pivoting and the solve with its
// factors, and OpenBLAS's thread and build queries. LAPACK's Fortran interface
// with 32-bit integers, as Debian builds it.
#pragma once

#include <cstddef>

extern "C" {
void dgetrf_(const int* m, const int* n, double* a, const int* lda, int* ipiv, int* info);
void dgetrs_(const char* trans, const int* n, const int* nrhs, const double* a, const int* lda, const int* ipiv,
             double* b, const int* ldb, int* info, std::size_t trans_length);
void openblas_set_num_threads(int threads);
int openblas_get_num_threads(void);
char* openblas_get_config(void);
char* openblas_get_corename(void);
}

// OpenBLAS's CBLAS interface (Debian: /usr/include/x86_64-linux-gnu/cblas.h), which also declares
// the openblas_* thread controls.
#include <cblas.h>

/*
 * Guard-page test: every tier x algorithm x length 0..2*64+1 with the array ending exactly at a
 * PROT_NONE page (and, second variant, starting right after one). A read or write past either end
 * faults (SIGSEGV kills the test: a failure for ctest). Covers x and y, out of place and in place.
 * Also runs a length 4096+129 case to cross the block boundary. The f64 entry points run the same
 * lengths with scale 1 and 0.7 (softmax and logsumexp). POSIX mmap/mprotect, or Windows VirtualProtect.
 */
#define _DEFAULT_SOURCE 1 /* MAP_ANONYMOUS under -std=c11 */
#include "s4j_test_util.h"

#if defined(_WIN32)
#include <windows.h>

/* A region of `pages` read-write pages with a PAGE_NOACCESS page on each side (Windows). */
static char* guarded_region(size_t pages, size_t page) {
  char* base = VirtualAlloc(NULL, (pages + 2) * page, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
  DWORD old;
  if (base == NULL || !VirtualProtect(base, page, PAGE_NOACCESS, &old) ||
      !VirtualProtect(base + (pages + 1) * page, page, PAGE_NOACCESS, &old)) {
    printf("VirtualAlloc/VirtualProtect failed: %lu\n", (unsigned long)GetLastError());
    exit(2);
  }
  return base + page;
}

static size_t s4j_page_size(void) {
  SYSTEM_INFO si;
  GetSystemInfo(&si);
  return (size_t)si.dwPageSize;
}
#else
#include <sys/mman.h>
#include <unistd.h>

/* A region of `pages` readable pages with a PROT_NONE page on each side. */
static char* guarded_region(size_t pages, size_t page) {
  char* base = mmap(NULL, (pages + 2) * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) {
    perror("mmap");
    exit(2);
  }
  if (mprotect(base, page, PROT_NONE) != 0 || mprotect(base + (pages + 1) * page, page, PROT_NONE) != 0) {
    perror("mprotect");
    exit(2);
  }
  return base + page;
}

static size_t s4j_page_size(void) { return (size_t)sysconf(_SC_PAGESIZE); }
#endif

int main(void) {
  const size_t page = s4j_page_size();
  const size_t max_n = 4096 + 129;
  const size_t pages = (max_n * sizeof(float) + page - 1) / page;
  char* rx = guarded_region(pages, page);
  char* ry = guarded_region(pages, page);
  const size_t bytes = pages * page;
  size_t lengths[2 * 64 + 2 + 1];
  size_t count = 0;
  for (size_t n = 0; n <= 2 * 64 + 1; n++) lengths[count++] = n;
  lengths[count++] = max_n;

  for (int isa = 0; isa < S4J_ISA_COUNT; isa++) {
    if (!s4j_tier_runnable(isa)) continue;
    for (int algo = 0; algo < S4J_ALGO_COUNT; algo++) {
      for (size_t li = 0; li < count; li++) {
        const size_t n = lengths[li];
        for (int variant = 0; variant < 2; variant++) {
          /* variant 0: arrays end at the upper guard page; 1: arrays start right after the lower one */
          float* x = variant == 0 ? (float*)(rx + bytes) - n : (float*)rx;
          float* y = variant == 0 ? (float*)(ry + bytes) - n : (float*)ry;
          for (size_t i = 0; i < n; i++) x[i] = (float)((int)(i * 37 % 23) - 11);
          if (n > 2) x[n - 1] = 20.0f; /* the max in the last (tail) lane */
          int rc = s4j_softmax_f32(isa, algo, x, y, (int64_t)n);
          double sum = 0.0;
          for (size_t i = 0; i < n; i++) sum += y[i];
          CHECK(rc == S4J_OK && (n == 0 || fabs(sum - 1.0) < 1e-5), "%s/%s n=%zu variant=%d rc=%d sum=%.9g",
                s4j_isa_name(isa), s4j_algo_names[algo], n, variant, rc, sum);
          /* in place */
          rc = s4j_softmax_f32(isa, algo, x, x, (int64_t)n);
          CHECK(rc == S4J_OK, "%s/%s in place n=%zu rc=%d", s4j_isa_name(isa), s4j_algo_names[algo], n, rc);
        }
      }
    }
  }
  /* f64 kernels: the same lengths (all tails of the 4- and 8-lane kernels), scale 1 and 0.7
   * (each kernel's two variants), softmax out of place / in place and logsumexp. */
  const size_t max_n64 = max_n;
  const size_t pages64 = (max_n64 * sizeof(double) + page - 1) / page;
  char* rx64 = guarded_region(pages64, page);
  char* ry64 = guarded_region(pages64, page);
  const size_t bytes64 = pages64 * page;
  for (int isa = 0; isa < S4J_ISA_COUNT; isa++) {
    if (!s4j_isa_supported(isa)) continue;
    for (int algo = 0; algo < S4J_ALGO_COUNT; algo++) {
      for (size_t li = 0; li < count; li++) {
        const size_t n = lengths[li];
        for (int variant = 0; variant < 4; variant++) {
          /* bit 0: arrays end at the upper guard page (else start after the lower one); bit 1: scale 0.7 */
          double* x = (variant & 1) ? (double*)(rx64 + bytes64) - n : (double*)rx64;
          double* y = (variant & 1) ? (double*)(ry64 + bytes64) - n : (double*)ry64;
          const double s = (variant & 2) ? 0.7 : 1.0;
          for (size_t i = 0; i < n; i++) x[i] = (double)((int)(i * 37 % 23) - 11);
          if (n > 2) x[n - 1] = 20.0;
          const int64_t len = (int64_t)n;
          int rc = s4j_f64_rows_at(isa, S4J_OP_SOFTMAX, algo, 0, s, x, 0, len, y, 0, len, 1, len, NULL, 0);
          double sum = 0.0;
          for (size_t i = 0; i < n; i++) sum += y[i];
          CHECK(rc == S4J_OK && (n == 0 || fabs(sum - 1.0) < 1e-12), "f64 %s/%s n=%zu variant=%d rc=%d sum=%.17g",
                s4j_isa_name(isa), s4j_algo_names[algo], n, variant, rc, sum);
          double lse = 0.0;
          rc = s4j_f64_rows_at(isa, S4J_OP_LOG_SUM_EXP, 0, 0, s, x, 0, len, NULL, 0, len, 1, len, &lse, 0);
          CHECK(rc == S4J_OK && (n == 0 || isfinite(lse)), "f64 lse %s n=%zu rc=%d", s4j_isa_name(isa), n, rc);
          rc = s4j_f64_rows_at(isa, S4J_OP_LOG_SOFTMAX, algo, 0, s, x, 0, len, y, 0, len, 1, len, NULL, 0);
          CHECK(rc == S4J_OK && (n == 0 || (y[n - 1] <= 0.0 && isfinite(y[0]))), "f64 log-softmax %s n=%zu rc=%d",
                s4j_isa_name(isa), n, rc);
          rc = s4j_f64_rows_at(isa, S4J_OP_SOFTMAX, algo, 0, s, x, 0, len, x, 0, len, 1, len, NULL, 0);
          CHECK(rc == S4J_OK, "f64 %s/%s in place n=%zu rc=%d", s4j_isa_name(isa), s4j_algo_names[algo], n, rc);
        }
      }
    }
  }
  return s4j_report("test_guard");
}

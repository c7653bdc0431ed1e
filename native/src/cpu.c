/*
 * CPU feature probe: CPUID for what the CPU implements, XGETBV for what the OS saves on a context
 * switch (a CPU with AVX-512 under an OS that does not enable ZMM state must not run AVX-512 code).
 * This file is compiled without ISA flags: it runs on any x86-64. On AArch64, Advanced SIMD is part of
 * the base architecture; the OS is still asked where it can say (Linux getauxval HWCAP_ASIMD; Windows
 * IsProcessorFeaturePresent; macOS sysctl hw.optional.AdvSIMD, present on every Apple arm64 CPU).
 */
#include "softmax4j.h"

#include <stdlib.h>
#include <string.h>

#include "kernels.h"

#if (defined(__x86_64__) || defined(_M_X64) || defined(__i386__) || defined(_M_IX86))
#define S4J_CPU_X86 1
#if defined(_MSC_VER) && !defined(__clang__)
#include <immintrin.h> /* _xgetbv */
#include <intrin.h>    /* __cpuid, __cpuidex */
#elif defined(__GNUC__) || defined(__clang__)
#include <cpuid.h>
#if defined(__APPLE__)
#include <sys/sysctl.h>
#include <sys/types.h>
#endif
#else
#undef S4J_CPU_X86 /* unknown compiler: no probe, portable tier only */
#endif
#endif

#if defined(__aarch64__) || defined(_M_ARM64)
#define S4J_CPU_ARM64 1
#if defined(__linux__)
#include <sys/auxv.h>
#elif defined(_WIN32)
#include <windows.h>
#elif defined(__APPLE__)
#include <sys/sysctl.h>
#include <sys/types.h>
#endif

static int s4j_probe_arm64(void) {
#if defined(__linux__)
#ifndef HWCAP_ASIMD
#define HWCAP_ASIMD (1 << 1)
#endif
  return (getauxval(AT_HWCAP) & HWCAP_ASIMD) ? S4J_CPU_NEON : 0;
#elif defined(_WIN32)
#ifndef PF_ARM_NEON_INSTRUCTIONS_AVAILABLE
#define PF_ARM_NEON_INSTRUCTIONS_AVAILABLE 19
#endif
  return IsProcessorFeaturePresent(PF_ARM_NEON_INSTRUCTIONS_AVAILABLE) ? S4J_CPU_NEON : 0;
#elif defined(__APPLE__)
  int v = 0;
  size_t len = sizeof v;
  if (sysctlbyname("hw.optional.AdvSIMD", &v, &len, NULL, 0) != 0) return S4J_CPU_NEON; /* older macOS: baseline */
  return v ? S4J_CPU_NEON : 0;
#else
  return S4J_CPU_NEON; /* part of ARMv8-A */
#endif
}
#endif

#if defined(S4J_CPU_X86)

/* CPUID leaf/subleaf into r[0..3] = eax, ebx, ecx, edx. */
static void s4j_cpuid(unsigned leaf, unsigned subleaf, unsigned r[4]) {
#if defined(_MSC_VER) && !defined(__clang__)
  int regs[4];
  __cpuidex(regs, (int)leaf, (int)subleaf);
  for (int i = 0; i < 4; i++) r[i] = (unsigned)regs[i];
#else
  __cpuid_count(leaf, subleaf, r[0], r[1], r[2], r[3]);
#endif
}

/* XCR0 (the OS-enabled state components). Only valid when CPUID reports OSXSAVE. Inline assembly
 * instead of _xgetbv, which GCC only offers inside functions compiled with -mxsave. */
static unsigned long long s4j_xgetbv0(void) {
#if defined(_MSC_VER) && !defined(__clang__)
  return _xgetbv(0);
#else
  unsigned eax, edx;
  __asm__ __volatile__("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return ((unsigned long long)edx << 32) | eax;
#endif
}

/* On an AMD CPU (vendor "AuthenticAMD" in cpuid leaf 0: ebx, edx, ecx) its family (leaf 1's base family plus
 * the extended family: 0x17 Zen 1-2, 0x19 Zen 3-4, 0x1A Zen 5), else 0. */
static int s4j_amd_family(void) {
  unsigned r[4];
  s4j_cpuid(0, 0, r);
  if (!(r[1] == 0x68747541u && r[3] == 0x69746e65u && r[2] == 0x444d4163u) || r[0] < 1) return 0;
  s4j_cpuid(1, 0, r);
  const int base = (int)((r[0] >> 8) & 0xF);
  return base == 0xF ? base + (int)((r[0] >> 20) & 0xFF) : base;
}

static int s4j_probe(void) {
  unsigned r[4];
  s4j_cpuid(0, 0, r);
  const unsigned max_leaf = r[0];
  if (max_leaf < 1) return 0;

  int f = 0;
  s4j_cpuid(1, 0, r);
  const unsigned ecx1 = r[2];
  if (ecx1 & (1u << 28)) f |= S4J_CPU_AVX;
  if (ecx1 & (1u << 12)) f |= S4J_CPU_FMA;
  const int osxsave = (ecx1 & (1u << 27)) != 0;

  if (max_leaf >= 7) {
    s4j_cpuid(7, 0, r);
    const unsigned ebx7 = r[1];
    if (ebx7 & (1u << 5)) f |= S4J_CPU_AVX2;
    if (ebx7 & (1u << 16)) f |= S4J_CPU_AVX512F;
    if (ebx7 & (1u << 17)) f |= S4J_CPU_AVX512DQ;
  }

  if (osxsave) {
    const unsigned long long xcr0 = s4j_xgetbv0();
    /* bit 1 SSE (XMM), bit 2 AVX (YMM upper halves) */
    const unsigned long long ymm = (1ull << 1) | (1ull << 2);
    /* bit 5 opmask, bit 6 ZMM_Hi256, bit 7 Hi16_ZMM */
    const unsigned long long zmm = (1ull << 5) | (1ull << 6) | (1ull << 7);
    if ((xcr0 & ymm) == ymm) {
      f |= S4J_CPU_OS_YMM;
      if ((xcr0 & zmm) == zmm) f |= S4J_CPU_OS_ZMM;
#if defined(__APPLE__)
      /* macOS turns the AVX-512 state on lazily (on a thread's first AVX-512 instruction), so XCR0 shows it
       * off until then; the kernel's own answer is the sysctl. */
      if ((f & S4J_CPU_AVX512F) && !(f & S4J_CPU_OS_ZMM)) {
        int on = 0;
        size_t len = sizeof on;
        if (sysctlbyname("hw.optional.avx512f", &on, &len, NULL, 0) == 0 && on) f |= S4J_CPU_OS_ZMM;
      }
#endif
    }
  }
  return f;
}

#endif /* S4J_CPU_X86 */

size_t s4j_prefetch_ahead = S4J_PREFETCH_FLOATS;
size_t s4j_nt_min = S4J_NT_MIN;
int s4j_argmax_fast_nan = 0;

/* The prefetch distance for this process: SOFTMAX4J_PREFETCH if set to a number of floats (0 = off, rounded up
 * to whole 64-byte lines), else off on AMD and S4J_PREFETCH_FLOATS elsewhere (constants.h has the measurements). */
static size_t s4j_prefetch_choice(int amd) {
  const char* env = getenv("SOFTMAX4J_PREFETCH");
  if (env != NULL && *env != '\0') {
    char* end;
    const unsigned long long v = strtoull(env, &end, 10);
    if (*end == '\0' && v <= (1u << 20)) return v == 0 ? S4J_PREFETCH_OFF : (size_t)((v + 15) & ~15ull);
  }
  return amd ? S4J_PREFETCH_OFF : S4J_PREFETCH_FLOATS;
}

/* Non-temporal stores for long outputs: SOFTMAX4J_NT_STORES=0 or 1 if set, else off on AMD from family 0x1A
 * (Zen 5) on and on elsewhere, Zen 4 included (constants.h, S4J_NT_MIN, has the measurements). */
static size_t s4j_nt_choice(int amd_family) {
  const char* env = getenv("SOFTMAX4J_NT_STORES");
  if (env != NULL && (strcmp(env, "0") == 0 || strcmp(env, "1") == 0)) return *env == '1' ? S4J_NT_MIN : S4J_NT_OFF;
  return amd_family >= S4J_NT_AMD_FAMILY_OFF ? S4J_NT_OFF : S4J_NT_MIN;
}

/* -1 = not probed yet. The probe is idempotent, so a racy first call from several threads only
 * repeats it and stores the same values. */
static volatile int s4j_features_cache = -1;

int s4j_cpu_features(void) {
  int f = S4J_LOAD_ACQUIRE(&s4j_features_cache);
  if (f < 0) {
    int amd_family = 0;
#if defined(S4J_CPU_X86)
    f = s4j_probe();
    amd_family = s4j_amd_family();
#elif defined(S4J_CPU_ARM64)
    f = s4j_probe_arm64();
#else
    f = 0;
#endif
    s4j_prefetch_ahead = s4j_prefetch_choice(amd_family != 0);
    s4j_nt_min = s4j_nt_choice(amd_family);
    s4j_argmax_fast_nan = amd_family != 0;
    S4J_STORE_RELEASE(&s4j_features_cache, f); /* last: after the globals above (kernels.h) */
  }
  return f;
}

int s4j_cpu_nt_stores(void) {
  (void)s4j_cpu_features();
  return s4j_nt_min != S4J_NT_OFF;
}

int64_t s4j_cpu_prefetch_floats(void) {
  (void)s4j_cpu_features();
  return s4j_prefetch_ahead == S4J_PREFETCH_OFF ? 0 : (int64_t)s4j_prefetch_ahead;
}

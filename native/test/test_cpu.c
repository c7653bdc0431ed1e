/*
 * The CPU probe against /proc/cpuinfo (Linux), the tier logic built on it, and argument checks.
 */
#include "s4j_test_util.h"

/* 1/0 when /proc/cpuinfo lists the flag, -1 when it cannot be read (not Linux). */
static int cpuinfo_flag(const char* flag) {
  FILE* f = fopen("/proc/cpuinfo", "r");
  if (f == NULL) return -1;
  static char line[1 << 16];
  int found = -1;
  while (fgets(line, sizeof line, f) != NULL) {
    if (strncmp(line, "flags", 5) != 0) continue;
    found = 0;
    const size_t len = strlen(flag);
    for (char* p = strstr(line, flag); p != NULL; p = strstr(p + 1, flag)) {
      if ((p[-1] == ' ' || p[-1] == '\t') && (p[len] == ' ' || p[len] == '\n' || p[len] == '\0')) {
        found = 1;
        break;
      }
    }
    break; /* the first CPU is enough */
  }
  fclose(f);
  return found;
}

#if defined(__x86_64__) || defined(_M_X64)
/* 1/0 when /proc/cpuinfo's first vendor_id is AuthenticAMD or not, -1 when it cannot be read; *family gets the
 * first "cpu family" line's value (decimal, as Linux prints it: 25 = 19h, 26 = 1Ah), -1 if there is none. */
static int cpuinfo_amd(int* family) {
  FILE* f = fopen("/proc/cpuinfo", "r");
  *family = -1;
  if (f == NULL) return -1;
  static char line[1 << 12];
  int found = -1;
  while (fgets(line, sizeof line, f) != NULL) {
    if (found < 0 && strncmp(line, "vendor_id", 9) == 0) found = strstr(line, "AuthenticAMD") != NULL;
    if (*family < 0 && strncmp(line, "cpu family", 10) == 0) {
      const char* colon = strchr(line, ':');
      if (colon != NULL) *family = atoi(colon + 1);
    }
    if (found >= 0 && *family >= 0) break;
  }
  fclose(f);
  return found;
}
#endif

/* The prefetch distance: SOFTMAX4J_PREFETCH when set to a number (rounded up to 16 floats, 0 = off; ctest runs
 * this test once with it set), else 0 on AMD x86-64 and 4096 elsewhere. */
static void check_prefetch(void) {
  const int64_t d = s4j_cpu_prefetch_floats();
  printf("s4j_cpu_prefetch_floats() = %lld\n", (long long)d);
  const char* env = getenv("SOFTMAX4J_PREFETCH");
  if (env != NULL && *env != '\0') {
    char* end;
    const long long v = strtoll(env, &end, 10);
    if (*end == '\0' && v >= 0 && v <= (1 << 20)) {
      CHECK(d == (v == 0 ? 0 : (v + 15) / 16 * 16), "SOFTMAX4J_PREFETCH=%s gave %lld", env, (long long)d);
    } else {
      printf("**** SKIPPED prefetch check: SOFTMAX4J_PREFETCH=%s is not a distance (the default applies) ****\n", env);
    }
    return;
  }
#if defined(__x86_64__) || defined(_M_X64)
  int family;
  const int amd = cpuinfo_amd(&family);
  if (amd < 0) {
    printf("**** SKIPPED prefetch default check: no /proc/cpuinfo ****\n");
    return;
  }
  CHECK(d == (amd ? 0 : 4096), "default prefetch %lld on %s", (long long)d, amd ? "AMD" : "not AMD");
#else
  CHECK(d == 4096, "default prefetch %lld", (long long)d);
#endif
}

/* Non-temporal stores: SOFTMAX4J_NT_STORES (0 or 1) when set, else off on AMD x86-64 from family 1Ah (Zen 5)
 * on and on elsewhere (Intel, Zen 4 and earlier). */
static void check_nt_stores(void) {
  const int nt = s4j_cpu_nt_stores();
  printf("s4j_cpu_nt_stores() = %d\n", nt);
  const char* env = getenv("SOFTMAX4J_NT_STORES");
  if (env != NULL && (strcmp(env, "0") == 0 || strcmp(env, "1") == 0)) {
    CHECK(nt == (*env == '1'), "SOFTMAX4J_NT_STORES=%s gave %d", env, nt);
    return;
  }
#if defined(__x86_64__) || defined(_M_X64)
  int family;
  const int amd = cpuinfo_amd(&family);
  if (amd < 0 || (amd && family < 0)) {
    printf("**** SKIPPED non-temporal default check: no /proc/cpuinfo or no cpu family in it ****\n");
    return;
  }
  const int off = amd && family >= 0x1A;
  CHECK(nt == !off, "default non-temporal stores %d on %s family %d", nt, amd ? "AMD" : "not AMD", family);
#else
  CHECK(nt == 1, "default non-temporal stores %d", nt);
#endif
}

int main(void) {
  const int f = s4j_cpu_features();
  printf("s4j_cpu_features() = 0x%x:%s%s%s%s%s%s%s\n", f, (f & S4J_CPU_AVX) ? " AVX" : "",
         (f & S4J_CPU_AVX2) ? " AVX2" : "", (f & S4J_CPU_FMA) ? " FMA" : "", (f & S4J_CPU_AVX512F) ? " AVX512F" : "",
         (f & S4J_CPU_AVX512DQ) ? " AVX512DQ" : "", (f & S4J_CPU_OS_YMM) ? " OS_YMM" : "",
         (f & S4J_CPU_OS_ZMM) ? " OS_ZMM" : "");
  printf("s4j_cpu_max_isa() = %s\n", s4j_isa_name(s4j_cpu_max_isa()));
  CHECK(s4j_cpu_features() == f, "the probe must be stable");
  check_prefetch();
  check_nt_stores();

  /* /proc/cpuinfo shows what the kernel enables, so with OS state enabled the bits must agree. */
  const struct {
    const char* name;
    int bit;
    int os;
  } flags[] = {{"avx", S4J_CPU_AVX, S4J_CPU_OS_YMM},
               {"avx2", S4J_CPU_AVX2, S4J_CPU_OS_YMM},
               {"fma", S4J_CPU_FMA, S4J_CPU_OS_YMM},
               {"avx512f", S4J_CPU_AVX512F, S4J_CPU_OS_ZMM},
               {"avx512dq", S4J_CPU_AVX512DQ, S4J_CPU_OS_ZMM}};
  for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
#if !(defined(__x86_64__) || defined(_M_X64))
    /* A non-x86 build has no x86 probe (it may run under qemu-user on an x86 host, whose
     * /proc/cpuinfo lists x86 flags): nothing to compare. */
    printf("**** SKIPPED /proc/cpuinfo comparison for %s: not an x86-64 build ****\n", flags[i].name);
    continue;
#endif
    const int listed = cpuinfo_flag(flags[i].name);
    if (listed < 0) {
      printf("**** SKIPPED /proc/cpuinfo comparison for %s: no /proc/cpuinfo ****\n", flags[i].name);
      continue;
    }
    const int probed = (f & flags[i].bit) != 0;
    if (f & flags[i].os) {
      CHECK(listed == probed, "%s: /proc/cpuinfo says %d, probe says %d", flags[i].name, listed, probed);
    } else {
      /* Without OS support Linux hides the flag; the probe may still see the CPU bit. */
      CHECK(!listed || probed, "%s: listed in /proc/cpuinfo but not probed", flags[i].name);
    }
  }

  /* tier logic */
  const int avx2_bits = S4J_CPU_AVX | S4J_CPU_AVX2 | S4J_CPU_FMA | S4J_CPU_OS_YMM;
  const int avx512_bits = avx2_bits | S4J_CPU_AVX512F | S4J_CPU_AVX512DQ | S4J_CPU_OS_ZMM;
  CHECK(s4j_isa_supported(S4J_ISA_PORTABLE) == 1, "portable always supported");
  if (s4j_isa_supported(S4J_ISA_AVX2)) CHECK((f & avx2_bits) == avx2_bits, "AVX2 tier without the bits");
  if (s4j_isa_supported(S4J_ISA_AVX512)) CHECK((f & avx512_bits) == avx512_bits, "AVX-512 tier without the bits");
  if ((f & avx2_bits) != avx2_bits) CHECK(!s4j_isa_supported(S4J_ISA_AVX2), "AVX2 tier claimed without CPU support");
  if ((f & avx512_bits) != avx512_bits)
    CHECK(!s4j_isa_supported(S4J_ISA_AVX512), "AVX-512 tier claimed without CPU support");
  int best = S4J_ISA_PORTABLE;
  for (int isa = 0; isa < S4J_ISA_COUNT; isa++)
    if (s4j_isa_supported(isa)) best = isa;
  CHECK(s4j_cpu_max_isa() == best, "max isa %d != best supported %d", s4j_cpu_max_isa(), best);
  CHECK(s4j_isa_supported(-1) == 0 && s4j_isa_supported(S4J_ISA_COUNT) == 0, "out-of-range tiers");

  /* the registry's names and AUTO crossovers (src/s4j_tiers.inc), for every tier, compiled in or not */
  const char* const names[S4J_ISA_COUNT] = {"portable", "avx2", "avx512", "neon"};
  for (int isa = 0; isa < S4J_ISA_COUNT; isa++) {
    CHECK(s4j_isa_name(isa) != NULL && strcmp(s4j_isa_name(isa), names[isa]) == 0, "tier %d named %s, not %s", isa,
          s4j_isa_name(isa) ? s4j_isa_name(isa) : "NULL", names[isa]);
    const int64_t crossover = isa == S4J_ISA_AVX512 ? ((int64_t)1 << 22) - 1 : INT64_MAX;
    CHECK(s4j_auto_algorithm(isa, crossover) == S4J_ALGO_THREE_PASS_RELOAD, "tier %s: AUTO at its crossover",
          names[isa]);
    if (crossover < INT64_MAX)
      CHECK(s4j_auto_algorithm(isa, crossover + 1) == S4J_ALGO_TWO_PASS, "tier %s: AUTO past its crossover",
            names[isa]);
    /* double precision: its own crossover, the reload at every size on every tier (softmax.c) */
    CHECK(s4j_f64_auto_algorithm(isa, INT64_MAX) == S4J_ALGO_THREE_PASS_RELOAD &&
              s4j_f64_auto_algorithm(isa, (int64_t)1 << 30) == S4J_ALGO_THREE_PASS_RELOAD,
          "tier %s: f64 AUTO is the reload at every size", names[isa]);
  }
  CHECK(s4j_f64_auto_algorithm(-1, 1) == S4J_ALGO_THREE_PASS_RELOAD &&
            s4j_f64_auto_algorithm(S4J_ISA_COUNT, (int64_t)1 << 40) == S4J_ALGO_THREE_PASS_RELOAD,
        "f64 AUTO of an out-of-range tier");
  CHECK(s4j_isa_name(-1) == NULL && s4j_isa_name(S4J_ISA_COUNT) == NULL, "out-of-range tiers have no name");

  float x[4] = {1, 2, 3, 4}, y[4] = {0};
  for (int isa = 0; isa < S4J_ISA_COUNT; isa++) {
    if (!s4j_isa_supported(isa)) {
      printf("tier %s not runnable here: checking S4J_ENOTSUP\n", s4j_isa_name(isa));
      CHECK(s4j_softmax_f32(isa, S4J_ALGO_AUTO, x, y, 4) == S4J_ENOTSUP, "unsupported tier %d must give ENOTSUP", isa);
      CHECK(s4j_softmax_f32_at(isa, S4J_ALGO_TWO_PASS, x, 0, y, 0, 4) == S4J_ENOTSUP, "ENOTSUP via _at");
    }
    for (int64_t n = 0; n < (int64_t)1 << 40; n = n * 4 + 1) {
      const int a = s4j_auto_algorithm(isa, n);
      CHECK(a == S4J_ALGO_TWO_PASS || a == S4J_ALGO_THREE_PASS_RELOAD, "auto(%d, %lld) = %d", isa, (long long)n, a);
    }
  }
  /* bad arguments */
  CHECK(s4j_softmax_f32(-1, S4J_ALGO_AUTO, x, y, 4) == S4J_EINVAL, "isa -1");
  CHECK(s4j_softmax_f32(S4J_ISA_COUNT, S4J_ALGO_AUTO, x, y, 4) == S4J_EINVAL, "isa COUNT");
  CHECK(s4j_softmax_f32(S4J_ISA_PORTABLE, -1, x, y, 4) == S4J_EINVAL, "algorithm -1");
  CHECK(s4j_softmax_f32(S4J_ISA_PORTABLE, S4J_ALGO_COUNT, x, y, 4) == S4J_EINVAL, "algorithm COUNT");
  CHECK(s4j_softmax_f32(S4J_ISA_PORTABLE, S4J_ALGO_AUTO, x, y, -1) == S4J_EINVAL, "n -1");
  CHECK(s4j_softmax_f32_at(S4J_ISA_PORTABLE, S4J_ALGO_AUTO, x, -1, y, 0, 4) == S4J_EINVAL, "x_offset -1");
  CHECK(s4j_softmax_f32_at(S4J_ISA_PORTABLE, S4J_ALGO_AUTO, x, 0, y, -1, 4) == S4J_EINVAL, "y_offset -1");
  CHECK(s4j_softmax_f32_at(S4J_ISA_PORTABLE, S4J_ALGO_AUTO, x, 0, y, 0, INT64_MIN) == S4J_EINVAL, "n INT64_MIN");
  CHECK(s4j_softmax_f32(S4J_ISA_PORTABLE, S4J_ALGO_AUTO, x, y, 0) == S4J_OK, "n 0");
  CHECK(s4j_softmax_f32(S4J_ISA_PORTABLE, S4J_ALGO_AUTO, x, y, 4) == S4J_OK, "valid call");
  return s4j_report("test_cpu");
}

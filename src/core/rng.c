/* rng.c: xoshiro256** (Blackman & Vigna) seeded by splitmix64, with uniform,
 * normal (polar), gamma (Marsaglia-Tsang) and Student-t draws.
 * Guarantees: bit-identical streams for the same seed on any platform.
 * Not cryptographic. */
#include <math.h>
#include "spartan/core.h"

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void sp_rng_seed(sp_rng *rng, uint64_t seed)
{
    uint64_t sm = seed;
    for (int i = 0; i < 4; i++) rng->s[i] = splitmix64(&sm);
    rng->has_spare = 0;
    rng->spare_normal = 0.0;
}

void sp_rng_seed_stream(sp_rng *rng, uint64_t seed, uint64_t stream)
{
    sp_rng_seed(rng, seed);
    for (uint64_t i = 0; i < stream; i++) sp_rng_jump(rng);
}

uint64_t sp_rng_u64(sp_rng *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

void sp_rng_jump(sp_rng *rng)
{
    static const uint64_t jump[4] = {0x180ec6d33cfd0abaULL, 0xd5a61266f0c9392cULL,
                                     0xa9582618e03fc9aaULL, 0x39abdc4529b1661cULL};
    uint64_t acc[4] = {0, 0, 0, 0};
    for (int i = 0; i < 4; i++)
        for (int b = 0; b < 64; b++) {
            if (jump[i] & ((uint64_t)1 << b))
                for (int j = 0; j < 4; j++) acc[j] ^= rng->s[j];
            sp_rng_u64(rng);
        }
    for (int j = 0; j < 4; j++) rng->s[j] = acc[j];
    rng->has_spare = 0;
}

double sp_rng_uniform(sp_rng *rng) { return (double)(sp_rng_u64(rng) >> 11) * 0x1.0p-53; }

uint64_t sp_rng_below(sp_rng *rng, uint64_t bound)
{
    if (bound == 0) return 0;
    uint64_t threshold = (0 - bound) % bound; /* 2^64 mod bound */
    for (;;) {
        uint64_t r = sp_rng_u64(rng);
        if (r >= threshold) return r % bound;
    }
}

double sp_rng_normal(sp_rng *rng)
{
    if (rng->has_spare) {
        rng->has_spare = 0;
        return rng->spare_normal;
    }
    double u, v, s;
    do {
        u = 2.0 * sp_rng_uniform(rng) - 1.0;
        v = 2.0 * sp_rng_uniform(rng) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    double f = sqrt(-2.0 * log(s) / s);
    rng->spare_normal = v * f;
    rng->has_spare = 1;
    return u * f;
}

double sp_rng_gamma(sp_rng *rng, double shape)
{
    if (!(shape > 0.0)) return NAN;
    if (shape < 1.0) { /* boost: Gamma(a) = Gamma(a+1) * U^(1/a) */
        double u = sp_rng_uniform(rng);
        return sp_rng_gamma(rng, shape + 1.0) * pow(u > 0.0 ? u : 0x1.0p-53, 1.0 / shape);
    }
    double d = shape - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double x, v;
        do {
            x = sp_rng_normal(rng);
            v = 1.0 + c * x;
        } while (v <= 0.0);
        v = v * v * v;
        double u = sp_rng_uniform(rng);
        if (u < 1.0 - 0.0331 * x * x * x * x) return d * v;
        if (u > 0.0 && log(u) < 0.5 * x * x + d * (1.0 - v + log(v))) return d * v;
    }
}

double sp_rng_student_t(sp_rng *rng, double nu)
{
    if (!(nu > 0.0)) return NAN;
    double z = sp_rng_normal(rng);
    double chi2 = 2.0 * sp_rng_gamma(rng, 0.5 * nu);
    return z / sqrt(chi2 / nu);
}

double sp_hash_normal(uint64_t key, uint64_t index)
{
    uint64_t state = key ^ (index * 0xd1342543de82ef95ULL);
    uint64_t a = splitmix64(&state), b = splitmix64(&state);
    double u1 = ((double)(a >> 11) + 0.5) * 0x1.0p-53; /* (0, 1) */
    double u2 = (double)(b >> 11) * 0x1.0p-53;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

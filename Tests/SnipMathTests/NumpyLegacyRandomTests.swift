import SnipMath
import Testing

/// numpy's legacy `RandomState` draws against values printed by numpy.
@Suite struct NumpyLegacyRandomTests {

    /// One `np.random.RandomState(7)` stream through each legacy draw (values printed by numpy).
    @Test func legacyDrawsMatchNumpy() {
        var r = NumpyLegacyRandom(seed: 7)
        #expect(r.integer(0, 5) == 4)
        #expect(r.integer(-3, 0) == -2)
        #expect(r.integer(0, 999) == 502)
        #expect(
            [r.gaussian(), r.gaussian(), r.gaussian()]
                == [1.690525703800356, -0.4659373705408328, 0.0328201636785844])
        #expect(r.uniform(-1, 1) == 0.002240927319875796)
        #expect(r.choice(weights: [0.1, 0.2, 0.3, 0.4]) == 0)
        #expect(r.multinomial(200, [0.2, 0.3, 0.5]) == [41, 67, 92])
        #expect(r.permutation(6) == [5, 1, 4, 0, 3, 2])
    }

    /// Seeding four keys together gives each key's own stream, whatever the mix of lengths.
    @Test func statesSeededTogetherMatchSeparateSeeding() {
        let keys: [[UInt32]] =
            (0..<9).map { [7, UInt32($0)] } + [[1, 2, 3], [4, 5, 6], [7], [0xFFFF_FFFF, 0]]
            + (0..<4).map { [UInt32($0), 3, 1_000_000] } + [Array(0..<700)]
        let together = NumpyLegacyRandom.states(keys: keys)
        #expect(together.count == keys.count)
        for (key, state) in zip(keys, together) {
            var a = state
            var b = NumpyLegacyRandom(key: key)
            let first = (0..<1500).map { _ in a.nextUInt32() }
            let second = (0..<1500).map { _ in b.nextUInt32() }
            #expect(first == second, "key \(key.prefix(3))")
        }
    }

    /// `[int(np.random.RandomState(s).binomial(n, p)) for s in range(8)]` (numpy 2.4 legacy
    /// stream, unchanged since 1.17); covers inversion and every BTPE branch.
    @Test func binomialMatchesNumpy() {
        let expected: [(Int, Double, [Int])] = [
            (132, 0.5366, [69, 70, 62, 70, 59, 75, 85, 78]),
            (200, 0.2881, [60, 59, 67, 58, 70, 53, 66, 51]),
            (100, 0.3, [30, 29, 29, 31, 39, 26, 36, 24]),
            (132, 0.4634, [63, 62, 70, 62, 73, 57, 47, 54]),
            (50, 0.9, [45, 46, 45, 45, 41, 47, 42, 48]),
            (1000, 0.5, [502, 496, 519, 503, 535, 482, 519, 478]),
            (40, 0.2, [8, 7, 7, 8, 13, 6, 11, 5]),
            (200, 0.7, [144, 138, 130, 139, 139, 145, 155, 147]),
        ]
        for (n, p, values) in expected {
            let ours = (0..<8).map { seed -> Int in
                var r = NumpyLegacyRandom(seed: UInt32(seed))
                return r.binomial(n, p)
            }
            #expect(ours == values, "binomial(\(n), \(p))")
        }
    }
}

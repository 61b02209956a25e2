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
        expectSeparateStreams(NumpyLegacyRandom.states(keys: keys), keys: keys, words: 1500)
    }

    /// Seeding eight (or four) keys in vector lanes gives each key's own stream, for keys shorter
    /// and longer than the state, over several twists.
    @Test func statesSeededInLanesMatchSeparateSeeding() {
        let keys: [[UInt32]] =
            (0..<8).map { [UInt32($0) &* 2_654_435_761] }
            + (0..<8).map { lane in (0..<700).map { UInt32($0) &* 31 &+ UInt32(lane) } }
            + (0..<4).map { [UInt32($0), 0xFFFF_FFFF, 12_345] }
            + (0..<8).map { [0xDEAD_BEEF, UInt32($0)] }
        expectSeparateStreams(NumpyLegacyRandom.states(keys: keys), keys: keys, words: 2000)
    }

    /// Each state's first `words` words are those of `NumpyLegacyRandom(key:)` for its key.
    private func expectSeparateStreams(
        _ states: [NumpyLegacyRandom], keys: [[UInt32]], words: Int
    ) {
        #expect(states.count == keys.count)
        for (key, state) in zip(keys, states) {
            var a = state
            var b = NumpyLegacyRandom(key: key)
            let first = (0..<words).map { _ in a.nextUInt32() }
            let second = (0..<words).map { _ in b.nextUInt32() }
            #expect(first == second, "key \(key.prefix(3)) of \(key.count) words")
        }
    }

    /// The vectorised twist and tempering match a plain scalar MT19937 (`init_genrand`,
    /// `genrand_int32`) over several twists.
    @Test func wordsMatchScalarMersenneTwister() {
        for seed: UInt32 in [0, 1, 5489, 0xFFFF_FFFF] {
            var reference = ScalarMersenneTwister(seed: seed)
            var random = NumpyLegacyRandom(seed: seed)
            let expected = (0..<3000).map { _ in reference.next() }
            let words = (0..<3000).map { _ in random.nextUInt32() }
            #expect(words == expected, "seed \(seed)")
        }
    }

    /// A copy of a stream replays it, whether copied before or after its first twist.
    @Test func copiesReplayTheStream() {
        var a = NumpyLegacyRandom(key: [3, 4])
        var b = a
        let first = (0..<700).map { _ in a.nextUInt32() }
        var c = a
        let second = (0..<1500).map { _ in a.nextUInt32() }
        #expect((0..<700).map { _ in b.nextUInt32() } == first)
        #expect((0..<1500).map { _ in c.nextUInt32() } == second)
        #expect((0..<1500).map { _ in b.nextUInt32() } == second)
    }

    /// Bulk Gaussians equal one-at-a-time draws: the cached second value first, an odd count
    /// leaving its last second value cached, across twists and after odd word counts.
    @Test func bulkGaussiansMatchSingleDraws() {
        var bulk = NumpyLegacyRandom(seed: 11)
        var single = NumpyLegacyRandom(seed: 11)
        var drawn: [Double] = []
        var expected: [Double] = []
        for (step, count) in [1, 2, 3, 0, 7, 64, 65, 1, 130, 5, 999, 2, 33].enumerated() {
            let words = step % 3  // shifts the pairing of words into doubles
            #expect(
                (0..<words).map { _ in bulk.nextUInt32() }
                    == (0..<words).map { _ in single.nextUInt32() })
            var values = [Double](repeating: .nan, count: count)
            values.withUnsafeMutableBufferPointer {
                bulk.gaussians(into: $0.baseAddress!, count: count)
            }
            drawn += values
            expected += (0..<count).map { _ in single.gaussian() }
        }
        #expect(drawn == expected)
        #expect(bulk.gaussian() == single.gaussian())
        #expect(bulk.nextUInt32() == single.nextUInt32())
    }

    /// Bulk uniforms equal one-at-a-time draws, for odd and even counts across twists.
    @Test func bulkUniformsMatchSingleDraws() {
        var bulk = NumpyLegacyRandom(seed: 12)
        var single = NumpyLegacyRandom(seed: 12)
        for (step, count) in [1, 2, 3, 0, 311, 312, 313, 1000, 4].enumerated() {
            let (low, high) = step.isMultiple(of: 2) ? (-1.0, 1.0) : (0.0, 1.0)
            _ = bulk.nextUInt32()
            _ = single.nextUInt32()
            var values = [Double](repeating: .nan, count: count)
            values.withUnsafeMutableBufferPointer {
                bulk.uniforms(low, high, into: $0.baseAddress!, count: count)
            }
            #expect(values == (0..<count).map { _ in single.uniform(low, high) })
        }
        #expect(bulk.nextUInt32() == single.nextUInt32())
    }

    /// The protocol's default bulk draws are the single draws in order.
    @Test func defaultBulkDrawsMatchSingleDraws() {
        var bulk = SwiftRandomSource(NumpyLegacyRandom(seed: 13))
        var single = bulk
        var values = [Double](repeating: .nan, count: 9)
        values.withUnsafeMutableBufferPointer {
            bulk.gaussians(into: $0.baseAddress!, count: 5)
            bulk.uniforms(-2, 3, into: $0.baseAddress! + 5, count: 4)
        }
        let expected =
            (0..<5).map { _ in single.gaussian() } + (0..<4).map { _ in single.uniform(-2, 3) }
        #expect(values == expected)
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

/// MT19937 one word at a time, as in the reference C code (`init_genrand`, `genrand_int32`): the
/// plain implementation the vectorised stream is checked against.
private struct ScalarMersenneTwister {
    private var mt: [UInt32]
    private var index = 624

    init(seed: UInt32) {
        mt = [seed]
        for i in 1..<624 {
            mt.append(1_812_433_253 &* (mt[i - 1] ^ (mt[i - 1] >> 30)) &+ UInt32(i))
        }
    }

    mutating func next() -> UInt32 {
        if index >= 624 {
            for i in 0..<624 {
                let y = (mt[i] & 0x8000_0000) | (mt[(i + 1) % 624] & 0x7FFF_FFFF)
                mt[i] = mt[(i + 397) % 624] ^ (y >> 1) ^ (y % 2 == 0 ? 0 : 0x9908_B0DF)
            }
            index = 0
        }
        var y = mt[index]
        index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }
}

/// numpy's legacy `RandomState` stream (MT19937 seeded with a 32-bit integer or a list of
/// them), for the reference draws that goldens pin to a seed (`np.random.seed(s)` then
/// `np.random.choice`) and for replaying the reference generator.
///
/// Only the integer paths are implemented: raw 32-bit words, `random_interval` (masked
/// rejection) and the legacy `shuffle` / `permutation` / `choice(n, k, replace=False)`.
public struct NumpyLegacyRandom: Sendable {
    private var state: [UInt32]
    private var position: Int
    /// The second value of the last polar Box–Muller pair (`has_gauss` / `gauss`).
    var cachedGaussian: Double?

    /// The stream of `np.random.RandomState(seed)` (`seed` < 2^32).
    public init(seed: UInt32) {
        state = [UInt32](unsafeUninitializedCapacity: 624) { key, initialized in
            var s = seed
            for i in 0..<624 {
                key[i] = s
                s = 1_812_433_253 &* (s ^ (s >> 30)) &+ UInt32(i + 1)
            }
            initialized = 624
        }
        position = 624
    }

    /// The stream of `np.random.RandomState(key)` for a list of words (MT19937's
    /// `init_by_array`), as the reference seeds its data workers with
    /// `RandomState([worker_id, rank, env_base_seed])`.
    public init(key: [UInt32]) {
        precondition(!key.isEmpty, "RandomState needs a non-empty seed list")
        state = Self.initByArrayStart
        position = 624
        state.withUnsafeMutableBufferPointer { mt in
            var i = 1
            var j = 0
            for _ in 0..<Swift.max(624, key.count) {
                mt[i] =
                    (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) &* 1_664_525)) &+ key[j] &+ UInt32(j)
                i += 1
                j += 1
                if i >= 624 {
                    mt[0] = mt[623]
                    i = 1
                }
                if j >= key.count { j = 0 }
            }
            for _ in 0..<623 {
                mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) &* 1_566_083_941)) &- UInt32(i)
                i += 1
                if i >= 624 {
                    mt[0] = mt[623]
                    i = 1
                }
            }
            mt[0] = 0x8000_0000
        }
        position = 624
    }

    /// The streams of `RandomState(key)` for each key, as ``init(key:)`` makes them; four keys
    /// of the same length are seeded together, their four `init_by_array` chains interleaved
    /// (each step of one chain waits for the multiplication of the step before, so one chain
    /// leaves the core mostly idle).
    public static func states(keys: [[UInt32]]) -> [NumpyLegacyRandom] {
        var out: [NumpyLegacyRandom] = []
        out.reserveCapacity(keys.count)
        var next = 0
        while next < keys.count {
            let length = keys[next].count
            guard next + 4 <= keys.count, length > 0,
                keys[(next + 1)..<(next + 4)].allSatisfy({ $0.count == length })
            else {
                out.append(NumpyLegacyRandom(key: keys[next]))
                next += 1
                continue
            }
            out.append(contentsOf: seededTogether(Array(keys[next..<(next + 4)])))
            next += 4
        }
        return out
    }

    /// `init_by_array` for four keys of one length, one step of each chain after the other, the
    /// last word of each chain kept in a register.
    private static func seededTogether(_ keys: [[UInt32]]) -> [NumpyLegacyRandom] {
        let length = keys[0].count
        // key[4·j + lane] + j, as the first pass adds it
        var key = [UInt32](repeating: 0, count: 4 * length)
        for lane in 0..<4 {
            for j in 0..<length { key[4 * j + lane] = keys[lane][j] &+ UInt32(j) }
        }
        var s0 = initByArrayStart
        var s1 = initByArrayStart
        var s2 = initByArrayStart
        var s3 = initByArrayStart
        s0.withUnsafeMutableBufferPointer { m0 in
            s1.withUnsafeMutableBufferPointer { m1 in
                s2.withUnsafeMutableBufferPointer { m2 in
                    s3.withUnsafeMutableBufferPointer { m3 in
                        key.withUnsafeBufferPointer { key in
                            var p0 = m0[0]
                            var p1 = m1[0]
                            var p2 = m2[0]
                            var p3 = m3[0]
                            @inline(__always) func mix(_ p: UInt32, _ factor: UInt32) -> UInt32 {
                                (p ^ (p >> 30)) &* factor
                            }
                            var i = 1
                            var j = 0
                            for _ in 0..<Swift.max(624, length) {
                                let k = key.baseAddress! + 4 * j
                                p0 = (m0[i] ^ mix(p0, 1_664_525)) &+ k[0]
                                p1 = (m1[i] ^ mix(p1, 1_664_525)) &+ k[1]
                                p2 = (m2[i] ^ mix(p2, 1_664_525)) &+ k[2]
                                p3 = (m3[i] ^ mix(p3, 1_664_525)) &+ k[3]
                                m0[i] = p0
                                m1[i] = p1
                                m2[i] = p2
                                m3[i] = p3
                                i += 1
                                j += 1
                                if i >= 624 {  // mt[0] = mt[623], which p already holds
                                    m0[0] = p0
                                    m1[0] = p1
                                    m2[0] = p2
                                    m3[0] = p3
                                    i = 1
                                }
                                if j >= length { j = 0 }
                            }
                            for _ in 0..<623 {
                                let u = UInt32(i)
                                p0 = (m0[i] ^ mix(p0, 1_566_083_941)) &- u
                                p1 = (m1[i] ^ mix(p1, 1_566_083_941)) &- u
                                p2 = (m2[i] ^ mix(p2, 1_566_083_941)) &- u
                                p3 = (m3[i] ^ mix(p3, 1_566_083_941)) &- u
                                m0[i] = p0
                                m1[i] = p1
                                m2[i] = p2
                                m3[i] = p3
                                i += 1
                                if i >= 624 {
                                    m0[0] = p0
                                    m1[0] = p1
                                    m2[0] = p2
                                    m3[0] = p3
                                    i = 1
                                }
                            }
                            m0[0] = 0x8000_0000
                            m1[0] = 0x8000_0000
                            m2[0] = 0x8000_0000
                            m3[0] = 0x8000_0000
                        }
                    }
                }
            }
        }
        return [s0, s1, s2, s3].map { NumpyLegacyRandom(state: $0) }
    }

    /// A stream from a full MT19937 state, before its first twist.
    private init(state: [UInt32]) {
        self.state = state
        position = 624
    }

    /// The state `init_by_array` starts from (`init_genrand(19650218)`), made once.
    private static let initByArrayStart = NumpyLegacyRandom(seed: 19_650_218).state

    private mutating func refill() {
        state.withUnsafeMutableBufferPointer { mt in
            @inline(__always) func twist(_ i: Int, _ next: Int, _ far: Int) {
                let y = (mt[i] & 0x8000_0000) | (mt[next] & 0x7FFF_FFFF)
                mt[i] = mt[far] ^ (y >> 1) ^ (y & 1 == 0 ? 0 : 0x9908_B0DF)
            }
            for i in 0..<227 { twist(i, i + 1, i + 397) }
            for i in 227..<623 { twist(i, i + 1, i - 227) }
            twist(623, 0, 396)
        }
        position = 0
    }

    /// The next raw 32-bit word (`genrand_int32`).
    public mutating func nextUInt32() -> UInt32 {
        if position >= 624 { refill() }
        var y = state[position]
        position += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }

    /// numpy's `random_interval(max)`: uniform in 0...max by masked rejection (max < 2^32).
    public mutating func interval(_ max: UInt32) -> UInt32 {
        if max == 0 { return 0 }
        var mask = max
        mask |= mask >> 1
        mask |= mask >> 2
        mask |= mask >> 4
        mask |= mask >> 8
        mask |= mask >> 16
        while true {
            let value = nextUInt32() & mask
            if value <= max { return value }
        }
    }

    /// The legacy `shuffle` of a 1-D array (Fisher–Yates from the end).
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, through: 1, by: -1) {
            let j = Int(interval(UInt32(i)))
            array.swapAt(i, j)
        }
    }

    /// The legacy `permutation(n)`.
    public mutating func permutation(_ n: Int) -> [Int] {
        var a = Array(0..<n)
        shuffle(&a)
        return a
    }

    /// The legacy `choice(n, size: k, replace: False)`: the first k of a full permutation.
    public mutating func choiceWithoutReplacement(_ n: Int, count k: Int) -> [Int] {
        Array(permutation(n).prefix(k))
    }
}

/// The raw stream as a Swift generator (two words per 64-bit draw, high word first), for
/// draws whose distribution, not their exact numpy replay, matters (the `ncr` triples).
extension NumpyLegacyRandom: RandomNumberGenerator {
    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let high = UInt64(nextUInt32())
        return high << 32 | UInt64(nextUInt32())
    }
}

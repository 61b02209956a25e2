/// numpy's legacy `RandomState` stream (MT19937 seeded with a 32-bit integer or a list of
/// them), for the reference draws that goldens pin to a seed (`np.random.seed(s)` then
/// `np.random.choice`) and for replaying the reference generator.
///
/// Only the integer paths are implemented: raw 32-bit words, `random_interval` (masked
/// rejection) and the legacy `shuffle` / `permutation` / `choice(n, k, replace=False)`.
public struct NumpyLegacyRandom: Sendable {
    /// The MT19937 state (`words[0..<624]`) followed by the tempered outputs of its last
    /// twist (`words[624..<1248]`), which the draws read in order.
    private var words: [UInt32]
    /// The index of the next output word; 624 when the state needs a twist.
    private var position: Int
    /// The second value of the last polar Box–Muller pair (`has_gauss` / `gauss`).
    var cachedGaussian: Double?

    /// The number of words in the MT19937 state.
    static let stateSize = 624

    /// The stream of `np.random.RandomState(seed)` (`seed` < 2^32).
    public init(seed: UInt32) {
        words = [UInt32](unsafeUninitializedCapacity: 2 * Self.stateSize) { key, initialized in
            var s = seed
            for i in 0..<624 {
                key[i] = s
                s = 1_812_433_253 &* (s ^ (s >> 30)) &+ UInt32(i + 1)
            }
            for i in 624..<1248 { key[i] = 0 }
            initialized = 1248
        }
        position = 624
    }

    /// The stream of `np.random.RandomState(key)` for a list of words (MT19937's
    /// `init_by_array`), as the reference seeds its data workers with
    /// `RandomState([worker_id, rank, env_base_seed])`.
    public init(key: [UInt32]) {
        precondition(!key.isEmpty, "RandomState needs a non-empty seed list")
        words = Self.initByArrayStart
        position = 624
        words.withUnsafeMutableBufferPointer { mt in
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
    }

    /// A stream from a full MT19937 state (624 words), before its first twist.
    init(state: UnsafeBufferPointer<UInt32>) {
        precondition(state.count == Self.stateSize, "an MT19937 state has 624 words")
        words = [UInt32](unsafeUninitializedCapacity: 2 * Self.stateSize) { w, initialized in
            _ = w.initialize(fromContentsOf: state)
            (w.baseAddress! + 624).initialize(repeating: 0, count: 624)
            initialized = 1248
        }
        position = 624
    }

    /// The state `init_by_array` starts from (`init_genrand(19650218)`), made once.
    static let initByArrayStart = NumpyLegacyRandom(seed: 19_650_218).words

    /// Twists the state (numpy's `mt19937_gen`) and tempers all 624 new words into the output
    /// half, four words at a time.
    private mutating func refill() {
        words.withUnsafeMutableBufferPointer { w in
            let raw = UnsafeMutableRawPointer(w.baseAddress!)
            typealias Lanes = SIMD4<UInt32>
            @inline(__always) func load(_ i: Int) -> Lanes {
                raw.loadUnaligned(fromByteOffset: 4 * i, as: Lanes.self)
            }
            @inline(__always) func store(_ v: Lanes, _ i: Int) {
                raw.storeBytes(of: v, toByteOffset: 4 * i, as: Lanes.self)
            }
            @inline(__always) func temper(_ word: Lanes) -> Lanes {
                var y = word
                y ^= y &>> 11
                y ^= (y &<< 7) & 0x9D2C_5680
                y ^= (y &<< 15) & 0xEFC6_0000
                y ^= y &>> 18
                return y
            }
            // mt[i] = mt[far] ^ (y >> 1) ^ (odd y ? 0x9908B0DF : 0), y = the top bit of mt[i]
            // and the low 31 of mt[i + 1]; words i…i+3 read mt[i + 4] before it changes and
            // mt[far…far + 3] after they changed (far = i + 397 ≥ i + 4, or i − 227 ≤ i − 4).
            // Each new word is tempered into the output half as soon as it is made.
            @inline(__always) func twist4(_ i: Int, _ far: Int) {
                let y = (load(i) & 0x8000_0000) | (load(i + 1) & 0x7FFF_FFFF)
                let word = load(far) ^ (y &>> 1) ^ ((0 &- (y & 1)) & 0x9908_B0DF)
                store(word, i)
                store(temper(word), 624 + i)
            }
            @inline(__always) func twist(_ i: Int, _ next: Int, _ far: Int) {
                let y = (w[i] & 0x8000_0000) | (w[next] & 0x7FFF_FFFF)
                w[i] = w[far] ^ (y >> 1) ^ ((0 &- (y & 1)) & 0x9908_B0DF)
            }
            for i in stride(from: 0, to: 224, by: 4) { twist4(i, i + 397) }
            for i in 224..<227 { twist(i, i + 1, i + 397) }
            for i in stride(from: 227, to: 623, by: 4) { twist4(i, i - 227) }
            twist(623, 0, 396)
            // words 224…226 and 623, made one at a time
            store(temper(load(223)), 624 + 223)
            store(temper(load(620)), 624 + 620)
        }
        position = 0
    }

    /// The next raw 32-bit word (`genrand_int32`).
    public mutating func nextUInt32() -> UInt32 {
        if position >= 624 { refill() }
        let y = words[624 + position]
        position += 1
        return y
    }

    /// The next two raw words, as two calls of ``nextUInt32()`` return them.
    @inline(__always)
    mutating func nextTwoWords() -> (UInt32, UInt32) {
        let p = position
        guard p <= 622 else { return (nextUInt32(), nextUInt32()) }
        position = p + 2
        return (words[624 + p], words[625 + p])
    }

    /// The next four raw words, as four calls of ``nextUInt32()`` return them, in lane order.
    @inline(__always)
    mutating func nextFourWords() -> SIMD4<UInt32> {
        let p = position
        guard p <= 620 else {
            return SIMD4(nextUInt32(), nextUInt32(), nextUInt32(), nextUInt32())
        }
        position = p + 4
        return words.withUnsafeBufferPointer {
            UnsafeRawPointer($0.baseAddress! + 624 + p).loadUnaligned(as: SIMD4<UInt32>.self)
        }
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

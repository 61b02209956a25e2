/// numpy's legacy `RandomState` stream (MT19937 seeded with a 32-bit integer or a list of
/// them), for the reference draws that goldens pin to a seed (`np.random.seed(s)` then
/// `np.random.choice`) and for replaying the reference generator.
///
/// Only the integer paths are implemented: raw 32-bit words, `random_interval` (masked
/// rejection) and the legacy `shuffle` / `permutation` / `choice(n, k, replace=False)`.
public struct NumpyLegacyRandom: Sendable {
    /// The MT19937 state (`words[0..<624]`), followed after the first twist by the tempered
    /// outputs of the last twist (`words[624..<1248]`), which the draws read in order.
    private var words: [UInt32]
    /// The index of the next output word; 624 when the state needs a twist.
    private var position: Int
    /// The second value of the last polar Box–Muller pair (`has_gauss` / `gauss`).
    var cachedGaussian: Double?

    /// The number of words in the MT19937 state.
    static let stateSize = 624

    /// The stream of `np.random.RandomState(seed)` (`seed` < 2^32).
    public init(seed: UInt32) {
        words = [UInt32](unsafeUninitializedCapacity: Self.stateSize) { key, initialized in
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

    /// A stream whose MT19937 state (624 words) `writeState` writes, before its first twist.
    init(writingState writeState: (UnsafeMutablePointer<UInt32>) -> Void) {
        words = [UInt32](unsafeUninitializedCapacity: Self.stateSize) { w, initialized in
            writeState(w.baseAddress!)
            initialized = 624
        }
        position = 624
    }

    /// The state `init_by_array` starts from (`init_genrand(19650218)`), made once.
    static let initByArrayStart = NumpyLegacyRandom(seed: 19_650_218).words

    /// Twists the state and tempers the new words into the output half (``twist(from:into:)``).
    /// The first twist writes into a new array with room for the output, so a state shared
    /// with a copy (as the seeded states are) is not copied first.
    private mutating func refill() {
        if words.count == Self.stateSize {
            let state = words
            words = [UInt32](unsafeUninitializedCapacity: 2 * Self.stateSize) { w, initialized in
                state.withUnsafeBufferPointer {
                    Self.twist(from: $0.baseAddress!, into: w.baseAddress!)
                }
                initialized = 2 * Self.stateSize
            }
        } else {
            words.withUnsafeMutableBufferPointer {
                Self.twist(from: $0.baseAddress!, into: $0.baseAddress!)
            }
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
        let mask = UInt32.max >> max.leadingZeroBitCount  // max with every lower bit set
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
        let (high, low) = nextTwoWords()
        return UInt64(high) << 32 | UInt64(low)
    }
}

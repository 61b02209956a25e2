import Foundation

/// Seeded, structure-aware fuzzing inside the test suite: each fuzz test builds inputs from a
/// deterministic generator (so a failure reproduces from its seed and iteration), runs a small
/// budget in CI, and a large one offline:
///
///     SNIP_FUZZ_ITERATIONS=1000000 swift test -c release --skip-build --filter Fuzz
///
/// A crash (trap, stack overflow, out-of-bounds read under AddressSanitizer) ends the test
/// process, which fails the run; thrown errors are the expected outcome for bad input.
public enum Fuzz {
    /// The iterations to run: `SNIP_FUZZ_ITERATIONS` when set, else `ciDefault`.
    public static func iterations(ciDefault: Int) -> Int {
        ProcessInfo.processInfo.environment["SNIP_FUZZ_ITERATIONS"].flatMap { Int($0) } ?? ciDefault
    }

    /// The first iteration (`SNIP_FUZZ_START`, to replay one input of a long run).
    public static var start: Int {
        ProcessInfo.processInfo.environment["SNIP_FUZZ_START"].flatMap { Int($0) } ?? 0
    }

    /// Prints a one-line summary of a fuzz run (offline runs record these).
    public static func report(_ target: String, iterations: Int, outcomes: [String: Int]) {
        let parts = outcomes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        print("fuzz \(target): \(iterations) inputs, 0 crashes (\(parts))")
    }

    /// Prints a progress line every 100,000 inputs of a long run (offline runs that are stopped
    /// early still record how far they got without a crash).
    public static func progress(_ target: String, done: Int, outcomes: [String: Int]) {
        guard done % 100_000 == 0, done > 0 else { return }
        let parts = outcomes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        print("fuzz \(target): \(done) inputs so far, 0 crashes (\(parts))")
        fflush(nil)
    }

    /// Integers that find size and offset bugs.
    public static let interestingIntegers: [Int64] = [
        0, 1, -1, 2, 7, 8, 16, 255, 256, 65_535, 65_536, Int64(Int32.max), Int64(Int32.min), Int64(UInt32.max),
        1 << 32, 1 << 40, 1 << 53, 1 << 62, Int64.max, Int64.min, Int64.max - 7, -(1 << 31),
    ]
}

/// A small deterministic generator (SplitMix64), seeded per input: `FuzzRandom(seed: s, input: i)`.
public struct FuzzRandom: RandomNumberGenerator {
    var source: SplitMix

    public init(seed: UInt64, input: Int) {
        source = SplitMix(
            state: seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(truncatingIfNeeded: input) &* 0xD1B5_4A32_D192_ED03)
        _ = next()
    }

    public mutating func next() -> UInt64 { source.next() }

    /// Uniform in `0..<n` (0 when n ≤ 0).
    public mutating func int(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < p }

    /// One of `items`.
    public mutating func pick<T>(_ items: [T]) -> T { items[int(items.count)] }

    /// An integer that is interesting for sizes: small, a boundary, or random.
    public mutating func interestingInt() -> Int64 {
        switch int(4) {
        case 0: return Int64(int(10))
        case 1: return pick(Fuzz.interestingIntegers)
        case 2: return pick(Fuzz.interestingIntegers) &+ Int64(int(5)) &- 2
        default: return Int64(bitPattern: next())
        }
    }

    /// `bytes` with 1–8 random byte-level mutations: flips, interesting values written over
    /// 1, 2, 4 or 8 bytes, insertions, deletions, duplicated spans, truncation.
    public mutating func mutate(_ bytes: [UInt8]) -> [UInt8] {
        var out = bytes
        for _ in 0...int(8) {
            if out.isEmpty {
                out.append(UInt8(truncatingIfNeeded: next()))
                continue
            }
            let at = int(out.count)
            switch int(8) {
            case 0: out[at] ^= UInt8(1 << int(8))
            case 1: out[at] = UInt8(truncatingIfNeeded: next())
            case 2:
                let width = pick([1, 2, 4, 8])
                var value = interestingInt().littleEndian
                withUnsafeBytes(of: &value) { raw in
                    for k in 0..<width where at + k < out.count { out[at + k] = raw[k] }
                }
            case 3: out.insert(contentsOf: (0..<int(16)).map { _ in UInt8(truncatingIfNeeded: next()) }, at: at)
            case 4: out.removeSubrange(at..<min(out.count, at + 1 + int(16)))
            case 5:
                let length = min(out.count - at, 1 + int(64))
                let copy = Array(out[at..<at + length])
                out.insert(contentsOf: copy, at: int(out.count))
            case 6: out.removeLast(int(min(out.count, 64)))
            default: out[at] = pick([0x00, 0xFF, 0x7F, 0x80, 0x0A, 0x22, 0x5B, 0x7B, 0x2C])
            }
        }
        return out
    }
}

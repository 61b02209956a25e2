/// Seeding many streams at once: `init_by_array` for several keys in the lanes of one vector.
extension NumpyLegacyRandom {
    /// The streams of `RandomState(key)` for each key, as ``init(key:)`` makes them; runs of
    /// eight (or four) keys of one length are seeded together, one key per vector lane (each
    /// step of one `init_by_array` chain waits for the multiplication of the step before, so one
    /// chain leaves the core mostly idle, and the lanes share the loads and the loop).
    public static func states(keys: [[UInt32]]) -> [NumpyLegacyRandom] {
        var out: [NumpyLegacyRandom] = []
        out.reserveCapacity(keys.count)
        var next = 0
        func sameLength(_ lanes: Int) -> Bool {
            let length = keys[next].count
            return next + lanes <= keys.count && length > 0
                && keys[(next + 1)..<(next + lanes)].allSatisfy { $0.count == length }
        }
        while next < keys.count {
            if sameLength(8) {
                seedTogether(keys[next..<(next + 8)], as: SIMD8<UInt32>.self, into: &out)
                next += 8
            } else if sameLength(4) {
                seedTogether(keys[next..<(next + 4)], as: SIMD4<UInt32>.self, into: &out)
                next += 4
            } else {
                out.append(NumpyLegacyRandom(key: keys[next]))
                next += 1
            }
        }
        return out
    }

    /// `init_by_array` for `Lanes.scalarCount` keys of one length, key `lane` in lane `lane`
    /// of every word, appending the streams in key order.
    private static func seedTogether<Lanes: SIMD>(
        _ keys: ArraySlice<[UInt32]>, as _: Lanes.Type, into out: inout [NumpyLegacyRandom]
    ) where Lanes.Scalar == UInt32 {
        let lanes = Lanes.scalarCount
        precondition(keys.count == lanes, "one key per lane")
        let first = keys.startIndex
        let length = keys[first].count
        // key[j] + j, as the first pass adds it, one lane per key
        var key = [Lanes](repeating: .zero, count: length)
        for j in 0..<length {
            for lane in 0..<lanes { key[j][lane] = keys[first + lane][j] &+ UInt32(j) }
        }
        let start = initByArrayStart
        var mt = [Lanes](unsafeUninitializedCapacity: stateSize) { m, initialized in
            for i in 0..<stateSize { m[i] = Lanes(repeating: start[i]) }
            initialized = stateSize
        }
        mt.withUnsafeMutableBufferPointer { mt in
            key.withUnsafeBufferPointer { key in
                var previous = mt[0]  // mt[i − 1], kept in registers
                var i = 1
                var j = 0
                for _ in 0..<Swift.max(stateSize, length) {
                    previous =
                        (mt[i] ^ ((previous ^ (previous &>> 30)) &* 1_664_525)) &+ key[j]
                    mt[i] = previous
                    i += 1
                    j += 1
                    if i >= stateSize {  // mt[0] = mt[623], which `previous` holds
                        mt[0] = previous
                        i = 1
                    }
                    if j >= length { j = 0 }
                }
                for _ in 0..<(stateSize - 1) {
                    previous =
                        (mt[i] ^ ((previous ^ (previous &>> 30)) &* 1_566_083_941))
                        &- Lanes(repeating: UInt32(i))
                    mt[i] = previous
                    i += 1
                    if i >= stateSize {
                        mt[0] = previous
                        i = 1
                    }
                }
                mt[0] = Lanes(repeating: 0x8000_0000)
            }
        }
        mt.withUnsafeBytes { mt in
            let words = mt.assumingMemoryBound(to: UInt32.self).baseAddress!  // [624][lanes]
            for lane in 0..<lanes {
                out.append(
                    NumpyLegacyRandom { state in
                        for i in 0..<stateSize { state[i] = words[i * lanes + lane] }
                    })
            }
        }
    }
}

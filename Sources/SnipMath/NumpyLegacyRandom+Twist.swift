/// MT19937's twist (numpy's `mt19937_gen`) and tempering, four words at a time.
extension NumpyLegacyRandom {
    /// Twists the 624-word state `old` into `new[0..<624]` and writes the tempered new words
    /// to `new[624..<1248]`; `old` may be `new` (the twist in place).
    ///
    /// mt[i] = mt[far] ^ (y >> 1) ^ (odd y ? 0x9908B0DF : 0), y the top bit of mt[i] and the
    /// low 31 bits of mt[i + 1], far = i + 397 (an old word) for i < 227 and i − 227 (a new
    /// word) after. Words i…i+3 are made together: they read old words i…i+4, which no earlier
    /// block wrote, and far words ≥ 4 away.
    static func twist(from old: UnsafePointer<UInt32>, into new: UnsafeMutablePointer<UInt32>) {
        typealias Lanes = SIMD4<UInt32>
        let source = UnsafeRawPointer(old)
        let target = UnsafeMutableRawPointer(new)
        @inline(__always) func load(_ base: UnsafeRawPointer, _ i: Int) -> Lanes {
            base.loadUnaligned(fromByteOffset: 4 * i, as: Lanes.self)
        }
        @inline(__always) func store(_ v: Lanes, _ i: Int) {
            target.storeBytes(of: v, toByteOffset: 4 * i, as: Lanes.self)
        }
        @inline(__always) func temper(_ word: Lanes) -> Lanes {
            var y = word
            y ^= y &>> 11
            y ^= (y &<< 7) & 0x9D2C_5680
            y ^= (y &<< 15) & 0xEFC6_0000
            y ^= y &>> 18
            return y
        }
        @inline(__always) func twist4(_ i: Int, far: Lanes) {
            let y = (load(source, i) & 0x8000_0000) | (load(source, i + 1) & 0x7FFF_FFFF)
            let word = far ^ (y &>> 1) ^ ((0 &- (y & 1)) & 0x9908_B0DF)
            store(word, i)
            store(temper(word), 624 + i)
        }
        @inline(__always) func twist(_ i: Int, next: UInt32, far: UInt32) {
            let y = (old[i] & 0x8000_0000) | (next & 0x7FFF_FFFF)
            new[i] = far ^ (y >> 1) ^ ((0 &- (y & 1)) & 0x9908_B0DF)
        }
        for i in stride(from: 0, to: 224, by: 4) { twist4(i, far: load(source, i + 397)) }
        for i in 224..<227 { twist(i, next: old[i + 1], far: old[i + 397]) }
        for i in stride(from: 227, to: 623, by: 4) { twist4(i, far: load(target, i - 227)) }
        twist(623, next: new[0], far: new[396])
        // words 224…226 and 623, made one at a time
        store(temper(load(target, 223)), 624 + 223)
        store(temper(load(target, 620)), 624 + 620)
    }
}

/// MT19937's twist (numpy's `mt19937_gen`) and tempering, eight words at a time.
extension NumpyLegacyRandom {
    /// Twists the 624-word state `old` into `new[0..<624]` and writes the tempered new words
    /// to `new[624..<1248]`; `old` may be `new` (the twist in place).
    ///
    /// mt[i] = mt[far] ^ (y >> 1) ^ (odd y ? 0x9908B0DF : 0), y the top bit of mt[i] and the
    /// low 31 bits of mt[i + 1], far = i + 397 (an old word) for i < 227 and i − 227 (a new
    /// word) after. Words i…i+7 are made together: they read old words i…i+8, which no earlier
    /// block wrote, and far words ≥ 8 away.
    static func twist(from old: UnsafePointer<UInt32>, into new: UnsafeMutablePointer<UInt32>) {
        let source = UnsafeRawPointer(old)
        let target = UnsafeMutableRawPointer(new)
        @inline(__always) func load<Lanes: SIMD>(_ base: UnsafeRawPointer, _ i: Int) -> Lanes
        where Lanes.Scalar == UInt32 {
            base.loadUnaligned(fromByteOffset: 4 * i, as: Lanes.self)
        }
        @inline(__always) func store<Lanes: SIMD>(_ v: Lanes, _ i: Int)
        where Lanes.Scalar == UInt32 {
            target.storeBytes(of: v, toByteOffset: 4 * i, as: Lanes.self)
        }
        @inline(__always) func temper<Lanes: SIMD>(_ word: Lanes) -> Lanes
        where Lanes.Scalar == UInt32 {
            var y = word
            y ^= y &>> 11
            y ^= (y &<< 7) & 0x9D2C_5680
            y ^= (y &<< 15) & 0xEFC6_0000
            y ^= y &>> 18
            return y
        }
        // Words i…i+lanes−1 from old words i…i+lanes and the far words.
        @inline(__always) func twistLanes<Lanes: SIMD>(_ i: Int, far: Lanes)
        where Lanes.Scalar == UInt32 {
            let y: Lanes = (load(source, i) & 0x8000_0000) | (load(source, i + 1) & 0x7FFF_FFFF)
            let word = far ^ (y &>> 1) ^ ((0 &- (y & 1)) & 0x9908_B0DF)
            store(word, i)
            store(temper(word), 624 + i)
        }
        @inline(__always) func twist(_ i: Int, next: UInt32, far: UInt32) {
            let y = (old[i] & 0x8000_0000) | (next & 0x7FFF_FFFF)
            new[i] = far ^ (y >> 1) ^ ((0 &- (y & 1)) & 0x9908_B0DF)
        }
        typealias Eight = SIMD8<UInt32>
        for i in stride(from: 0, to: 224, by: 8) {
            twistLanes(i, far: load(source, i + 397) as Eight)
        }
        for i in 224..<227 { twist(i, next: old[i + 1], far: old[i + 397]) }
        for i in stride(from: 227, to: 619, by: 8) {
            twistLanes(i, far: load(target, i - 227) as Eight)
        }
        twistLanes(619, far: load(target, 619 - 227) as SIMD4<UInt32>)
        twist(623, next: new[0], far: new[396])
        // words 224…226 and 623, made one at a time
        store(temper(load(target, 223) as SIMD4<UInt32>), 624 + 223)
        store(temper(load(target, 620) as SIMD4<UInt32>), 624 + 620)
    }
}

extension Evaluator {
    /// The slots' memory: one block of equal slots (slot i < d holds the working copy of column
    /// i) followed by the stack of slots given back.
    ///
    /// An arena can serve one evaluation after another
    /// (``Evaluator/init(_:columns:count:raising:stopsAtNaN:arena:)``), so a caller that
    /// evaluates many trees, such as the generator's attempts, allocates its memory once. It
    /// belongs to one evaluation at a time: read the result before starting the next one, and
    /// do not share an arena between threads.
    final class Arena {
        /// The block: `capacity` slots of `slotSize` values, then `capacity` stack entries.
        private var block: UnsafeMutableRawPointer
        /// The block's size in 8-byte words.
        private var words: Int
        /// The slots' values.
        private(set) var base: UnsafeMutablePointer<Double>
        /// The stack of slots given back, taken last in first out.
        private var free: UnsafeMutablePointer<Int>
        /// The values in a slot (at least 1).
        private var slotSize: Int
        /// The slots the block holds.
        private var capacity: Int
        /// The slots handed out so far (free or not).
        private var used = 0
        /// The number of entries in ``free``.
        private var freeCount = 0

        /// An arena with room for `slots` slots of `count` values.
        init(slots: Int, count: Int) {
            slotSize = Swift.max(count, 1)
            capacity = Swift.max(slots, 1)
            words = capacity * (slotSize + 1)
            block = .allocate(byteCount: words * 8, alignment: 8)
            (base, free) = Self.bind(block, capacity: capacity, slotSize: slotSize)
        }

        deinit { block.deallocate() }

        /// The slots and the stack in `block`.
        private static func bind(
            _ block: UnsafeMutableRawPointer, capacity: Int, slotSize: Int
        ) -> (UnsafeMutablePointer<Double>, UnsafeMutablePointer<Int>) {
            let values = capacity * slotSize
            return (
                block.bindMemory(to: Double.self, capacity: values),
                (block + values * 8).bindMemory(to: Int.self, capacity: capacity)
            )
        }

        /// Forgets every slot and makes room for at least `slots` slots of `count` values, the
        /// first `reserved` of them taken (the columns).
        func reset(slots: Int, count: Int, reserved: Int) {
            slotSize = Swift.max(count, 1)
            capacity = Swift.max(slots, 1, words / (slotSize + 1))
            if capacity * (slotSize + 1) > words {
                block.deallocate()
                words = capacity * (slotSize + 1)
                block = .allocate(byteCount: words * 8, alignment: 8)
            }
            (base, free) = Self.bind(block, capacity: capacity, slotSize: slotSize)
            freeCount = 0
            used = reserved
        }

        /// A free slot (its values are garbage). Growing moves the block: take pointers after
        /// this.
        @inline(__always)
        func allocate() -> Int {
            if freeCount > 0 {
                freeCount &-= 1
                return free[freeCount]
            }
            if used == capacity { grow() }
            used &+= 1
            return used &- 1
        }

        /// Gives a slot back.
        @inline(__always)
        func release(_ slot: Int) {
            free[freeCount] = slot
            freeCount &+= 1
        }

        /// Doubles the number of slots, keeping the used slots' values and the stack.
        private func grow() {
            let newCapacity = capacity * 2
            let newWords = newCapacity * (slotSize + 1)
            let newBlock = UnsafeMutableRawPointer.allocate(byteCount: newWords * 8, alignment: 8)
            let (newBase, newFree) = Self.bind(newBlock, capacity: newCapacity, slotSize: slotSize)
            newBase.update(from: base, count: used * slotSize)
            newFree.update(from: free, count: freeCount)
            block.deallocate()
            (block, words, base, free) = (newBlock, newWords, newBase, newFree)
            capacity = newCapacity
        }
    }
}

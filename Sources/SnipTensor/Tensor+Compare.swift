// Comparisons (producing 0/1 masks, no gradient), selection and masked fill.

extension Tensor {
    /// 1 where self == other, else 0 (broadcasting).
    public func equal(_ other: Tensor) -> Tensor { Tensor.broadcasting(self, other) { $0 == $1 ? 1 : 0 } }
    /// 1 where self != other, else 0 (broadcasting).
    public func notEqual(_ other: Tensor) -> Tensor { Tensor.broadcasting(self, other) { $0 != $1 ? 1 : 0 } }
    /// 1 where self < other, else 0 (broadcasting).
    public func less(_ other: Tensor) -> Tensor { Tensor.broadcasting(self, other) { $0 < $1 ? 1 : 0 } }
    /// 1 where self <= other, else 0 (broadcasting).
    public func lessEqual(_ other: Tensor) -> Tensor { Tensor.broadcasting(self, other) { $0 <= $1 ? 1 : 0 } }
    /// 1 where self > other, else 0 (broadcasting).
    public func greater(_ other: Tensor) -> Tensor { Tensor.broadcasting(self, other) { $0 > $1 ? 1 : 0 } }
    /// 1 where self >= other, else 0 (broadcasting).
    public func greaterEqual(_ other: Tensor) -> Tensor { Tensor.broadcasting(self, other) { $0 >= $1 ? 1 : 0 } }

    /// Elementwise choice: `a` where `condition` is non-zero, else `b` (all three broadcast).
    /// The unchosen side never leaks into the result, even when it is NaN or infinite.
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
        let shape = checked { () throws(ShapeError) in
            try ShapeCheck.broadcast(try ShapeCheck.broadcast(condition.shape, a.shape), b.shape)
        }
        let mask = condition.detached().expanded(to: shape)
        let x = a.detached().expanded(to: shape)
        let y = b.detached().expanded(to: shape)
        let out = Tensor.uninitialized(shape)
        for i in 0..<out.count {
            out.storage.pointer[i] = mask.storage.pointer[i] != 0 ? x.storage.pointer[i] : y.storage.pointer[i]
        }
        return out.recording([a, b]) { g in
            [
                a.node == nil ? nil : unbroadcast(g.zipMap(mask) { g, m in m != 0 ? g : 0 }, to: a.shape),
                b.node == nil ? nil : unbroadcast(g.zipMap(mask) { g, m in m != 0 ? 0 : g }, to: b.shape),
            ]
        }
    }

    /// This tensor with `value` wherever `mask` (broadcast to this shape) is non-zero.
    public func maskedFill(_ mask: Tensor, with value: Float) -> Tensor {
        checked { () throws(ShapeError) in _ = try ShapeCheck.expand(mask.shape, to: shape) }
        let m = mask.detached()
        let y = Tensor.broadcasting(self, m) { x, m in m != 0 ? value : x }
        return y.recording([self]) { g in [Tensor.broadcasting(g, m) { g, m in m != 0 ? 0 : g }] }
    }
}

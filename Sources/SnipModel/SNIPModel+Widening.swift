import SnipNN
import SnipTensor

extension SNIPModel {
    /// This model with its symbolic encoder (encoder_f) `symbolicWidth` wide, a whole multiple k
    /// of its width now, computing what this model computes (Net2Net's function-preserving
    /// widening): every unit of encoder_f's residual stream, of each attention head and of each
    /// feed-forward block is repeated k times, and every weight that reads a repeated unit is
    /// shared among its k copies in random positive fractions that sum to 1, so that the copies
    /// get different gradients and grow apart once the model trains. Queries are scaled by 1/√k
    /// to keep the attention's 1/√(head width) scores, and LayerNorm sees each unit k times, so
    /// its mean and variance are unchanged. The point embedder, encoder_y and the property head
    /// are this model's. `seed` draws the fractions.
    ///
    /// Throws unless `symbolicWidth` is a multiple (at least twice) of encoder_f's width.
    public func widened(symbolicWidth: Int, seed: UInt64) throws(ModelError) -> SNIPModel {
        let width = config.symbolicEncoderWidth
        guard symbolicWidth > width, symbolicWidth % width == 0 else {
            throw ModelError(
                "encoder_f can only grow to a whole multiple of its width \(width) (e.g. \(2 * width)), not \(symbolicWidth)")
        }
        var wide = config
        wide.symbolicWidth = symbolicWidth
        let model = try rebuilt(
            as: wide, seed: seed, holding: stateDict().filter { !$0.key.hasPrefix("encoder_f.") }, strict: false,
            purpose: "widened")
        var widening = EncoderWidening(from: width, to: symbolicWidth, heads: config.heads, seed: seed)
        widening.carry(symbolicEncoder, into: model.symbolicEncoder)
        return model
    }
}

/// How one encoder's weights map onto the same encoder k times as wide (see
/// ``SNIPModel/widened(symbolicWidth:seed:)``).
private struct EncoderWidening {
    /// What happens to one axis of a weight.
    enum Axis {
        /// Kept as it is.
        case same
        /// Each new index takes the value at its old unit (the axis produces a repeated unit).
        case repeated([Int])
        /// Each new index takes the value at its old unit times a fraction; the fractions of
        /// one old unit's copies sum to 1 (the axis reads a repeated unit).
        case shared([Int])
    }

    let factor: Int
    /// Old unit of each new unit of the residual stream and of the attention's heads: the
    /// copies of a unit stay inside its head.
    let units: [Int]
    var generator: SeededGenerator

    init(from old: Int, to new: Int, heads: Int, seed: UInt64) {
        factor = new / old
        let (headWidth, newHeadWidth) = (old / heads, new / heads)
        units = (0..<new).map { ($0 / newHeadWidth) * headWidth + ($0 % newHeadWidth) % headWidth }
        generator = SeededGenerator(seed: seed ^ 0x5749_4445_4E45_44)
    }

    /// Old unit of each new hidden unit of a feed-forward block `old` wide.
    func hiddenUnits(_ old: Int) -> [Int] { (0..<(old * factor)).map { $0 % old } }

    mutating func carry(_ old: SnipEncoder, into new: SnipEncoder) {
        if let from = old.embeddings, let to = new.embeddings { set(to.weight, from.weight.value, .same, .repeated(units)) }
        set(new.positions.weight, old.positions.weight.value, .same, .repeated(units))
        if let from = old.mantissaFeatures, let to = new.mantissaFeatures { set(to.weight, from.weight.value, .repeated(units), .same) }
        if let from = old.constantFeatures, let to = new.constantFeatures { set(to.weight, from.weight.value, .repeated(units), .same) }
        carry(old.inputNorm, into: new.inputNorm)
        // queries scaled so that a head's k-times repeated dot products over √k times the width
        // keep their scores
        let queryScale = 1 / Float(factor).squareRoot()
        for (from, to) in zip(old.layers, new.layers) {
            carry(from.attention.queryProjection, into: to.attention.queryProjection, .repeated(units), .shared(units), scale: queryScale)
            carry(from.attention.keyProjection, into: to.attention.keyProjection, .repeated(units), .shared(units))
            carry(from.attention.valueProjection, into: to.attention.valueProjection, .repeated(units), .shared(units))
            carry(from.attention.outputProjection, into: to.attention.outputProjection, .repeated(units), .shared(units))
            carry(from.attentionNorm, into: to.attentionNorm)
            let hidden = hiddenUnits(from.feedForward.expand.weight.shape[0])
            carry(from.feedForward.expand, into: to.feedForward.expand, .repeated(hidden), .shared(units))
            for (a, b) in zip(from.feedForward.middle, to.feedForward.middle) {
                carry(a, into: b, .repeated(hidden), .shared(hidden))
            }
            carry(from.feedForward.contract, into: to.feedForward.contract, .repeated(units), .shared(hidden))
            carry(from.feedForwardNorm, into: to.feedForwardNorm)
        }
        carry(old.poolScore, into: new.poolScore, .same, .shared(units))
        carry(old.bottleneck, into: new.bottleneck, .same, .shared(units))
        carry(old.latentProjection, into: new.latentProjection, .repeated(units), .same)
    }

    private mutating func carry(_ old: LayerNorm, into new: LayerNorm) {
        set(new.weight, old.weight.value, .repeated(units), nil)
        set(new.bias, old.bias.value, .repeated(units), nil)
    }

    private mutating func carry(_ old: Linear, into new: Linear, _ rows: Axis, _ columns: Axis, scale: Float = 1) {
        set(new.weight, old.weight.value, rows, columns, scale: scale)
        if let from = old.bias, let to = new.bias { set(to, from.value, rows, nil, scale: scale) }
    }

    /// Sets `parameter` from `old`, a matrix (or a vector when `columns` is nil) mapped axis by axis.
    private mutating func set(_ parameter: Parameter, _ old: Tensor, _ rows: Axis, _ columns: Axis?, scale: Float = 1) {
        let oldColumns = columns == nil ? 1 : old.shape[1]
        let rowMap = map(rows, count: old.shape[0])
        let columnMap = columns.map { map($0, count: oldColumns) } ?? [0]
        let source = old.scalars
        var values = [Float](repeating: 0, count: rowMap.count * columnMap.count)
        for (r, oldRow) in rowMap.enumerated() {
            let fractions: [Float]
            if case .shared = columns { fractions = shares(of: columnMap) } else { fractions = [] }
            for (c, oldColumn) in columnMap.enumerated() {
                let fraction = fractions.isEmpty ? 1 : fractions[c]
                values[r * columnMap.count + c] = source[oldRow * oldColumns + oldColumn] * fraction * scale
            }
        }
        let shape = columns == nil ? [rowMap.count] : [rowMap.count, columnMap.count]
        precondition(shape == parameter.shape, "widening: \(shape) for a parameter of \(parameter.shape)")
        parameter.value = Tensor(values, shape: shape)
    }

    private func map(_ axis: Axis, count: Int) -> [Int] {
        switch axis {
        case .same: Array(0..<count)
        case .repeated(let units), .shared(let units): units
        }
    }

    /// One fraction per new column: the copies of each old column get positive random shares
    /// (each drawn from [0.5, 1.5], then divided by their sum) that sum to 1.
    private mutating func shares(of columns: [Int]) -> [Float] {
        var draws = columns.map { _ in Float.random(in: 0.5...1.5, using: &generator) }
        var sums = [Float](repeating: 0, count: (columns.max() ?? -1) + 1)
        for (c, old) in columns.enumerated() { sums[old] += draws[c] }
        for (c, old) in columns.enumerated() { draws[c] /= sums[old] }
        return draws
    }
}

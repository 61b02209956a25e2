/// Checks that a configuration can produce samples at all.
extension GeneratorConfiguration {
    /// What makes this configuration unusable (empty when it is fine).
    ///
    /// The reference draws the binary-operator count with `randint(min·d, offset + max·d)`,
    /// which fails for an empty range, and (with ``referenceCountingTable``) cannot build trees
    /// with 4·maxBinaryOpsPerDimension·maxInputDimension or more operators; either way it would
    /// redraw forever. So every dimension must have at least one count it can build: with the
    /// defaults, `minBinaryOpsPerDimension` 3 works for dimension 1 only (counts 3 and 4, and 4
    /// always fails), 2 up to dimension 3.
    public var problems: [String] {
        var out: [String] = []
        if minInputDimension < 1 || minInputDimension > maxInputDimension {
            out.append(
                "input dimensions \(minInputDimension)...\(maxInputDimension) are not a range "
                    + "of positive dimensions")
            return out
        }
        if minUnaryOps < 0 || minUnaryOps > maxUnaryOps {
            out.append("unary operator counts \(minUnaryOps)...\(maxUnaryOps) are not a range")
        }
        if minBinaryOpsPerDimension < 0 {
            out.append("the binary operators per dimension cannot be negative")
            return out
        }
        if pointCount < 3 { out.append("a sample needs at least 3 points") }
        if maxCentroids < 2 { out.append("maxCentroids must be at least 2") }
        let tableLimit = 4 * maxBinaryOpsPerDimension * maxInputDimension  // counts below this
        for d in minInputDimension...maxInputDimension {
            let low = minBinaryOpsPerDimension * d
            let high = maxBinaryOpsOffset + maxBinaryOpsPerDimension * d  // exclusive
            if low >= high {
                out.append(
                    "dimension \(d) has no binary-operator count: at least \(low) per tree are "
                        + "asked for, but fewer than \(high) are allowed")
                break
            }
            if referenceCountingTable && low >= tableLimit {
                out.append(
                    "dimension \(d): the reference's tree sampler cannot build \(low) or more "
                        + "binary operators (it is sized for fewer than \(tableLimit))")
                break
            }
        }
        return out
    }
}

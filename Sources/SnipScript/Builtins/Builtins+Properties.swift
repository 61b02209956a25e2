import SnipMath

extension Builtins {
    static let properties: [Builtin] = FunctionProperty.allCases.map(propertyBuiltin)

    static let propertyDocs: [FunctionProperty: String] = [
        .ncr: "The non-convexity ratio: the share of point triples (x1 < x2 < x3) where the middle point lies "
            + "above the chord (0 for a convex function, 1 for a concave one), estimated from 1000 random "
            + "triples as the reference does (exact=true: all triples).",
        .upward: "Net upward steps per point: (rises − falls) / n over the points sorted by x, "
            + "changes below 0.001 not counted (1 for an increasing function, −1 for a decreasing one).",
        .yavg: "The mean of y after scaling y to [0, 1].",
        .oscil: "ln(1 + the number of direction changes) of y along sorted x.",
    ]

    static func propertyBuiltin(_ property: FunctionProperty) -> Builtin {
        let name = property.rawValue
        return Builtin(name, .data, [.req("f"), .opt("a"), .opt("b"), .def("n", .number(200)),
                                     .def("exact", .bool(false)), .def("seed", .number(0))], doc: """
            \(propertyDocs[property]!) \(name)(f, a, b): of f on n evenly spaced points of [a, b]; \
            \(name)(xs, ys) or \(name)([xs, ys]): of points; \(name)(ds): of each sample of a dataset, as a vector.
            """) { interp, a in
            switch a.value("f") {
            case .object(let o as DatasetValue)?:
                return .array(NDArray(vector: try datasetProperty(
                    interp, property, o, exact: try a.bool("exact"), seed: try a.seed("seed"), at: a.range("f"))))
            case .function?:
                let (xs, ys) = try gridPoints(interp, a, function: "f", lo: "a", hi: "b")
                return .number(try propertyValue(property, xs, ys, a))
            case .array?, .number?:
                let xs = try a.vector("f")
                guard a.value("a") != nil else {
                    throw Diagnostic(.arity, "\(name)(xs, ys) needs the y values too", at: a.range)
                }
                let ys = try a.vector("a")
                guard xs.count == ys.count else {
                    throw Diagnostic(.shape, "\(name): xs has \(xs.count) points and ys \(ys.count)", at: a.range("a"))
                }
                return .number(try propertyValue(property, xs, ys, a))
            case .list(let pair)? where pair.count == 2:
                // [xs, ys], as sample and grid return points
                guard case .array(let x) = pair[0], x.isVector, case .array(let y) = pair[1], y.isVector,
                      x.count == y.count else {
                    throw Diagnostic(.shape, "\(name): points are [xs, ys], two vectors of equal length", at: a.range("f"))
                }
                return .number(try propertyValue(property, x.data, y.data, a))
            default:
                throw a.typeError("f", "a function, an expression, points [xs, ys], a vector of x or a dataset")
            }
        }
    }

    /// The property of points given to a property built-in (its `exact` and `seed` arguments).
    static func propertyValue(_ property: FunctionProperty, _ xs: [Double], _ ys: [Double], _ a: BoundArguments)
        throws -> Double
    {
        try propertyValue(property, xs, ys, exact: try a.bool("exact"), seed: try a.seed("seed"), at: a.range("f"))
    }

    /// The property of points, checking that there are enough and that they are finite; ncr
    /// from the reference's 1000 random triples drawn from `seed`, or over all triples.
    static func propertyValue(_ property: FunctionProperty, _ xs: [Double], _ ys: [Double], exact: Bool, seed: UInt32,
                              at range: SourceRange) throws -> Double {
        let name = property.rawValue
        guard xs.count >= 3 else {
            throw Diagnostic(.value, "\(name): needs at least 3 points, got \(xs.count)", at: range)
        }
        if let bad = xs.indices.first(where: { !xs[$0].isFinite || !ys[$0].isFinite }) {
            throw Diagnostic(.domain, "\(name): point \(bad) is not finite (x = \(formatNumber(xs[bad])), "
                + "y = \(formatNumber(ys[bad])))", at: range)
        }
        switch property {
        case .ncr:
            if exact { return FunctionProperties.exactNonConvexityRatio(x: xs, y: ys).ratio }
            return FunctionProperties.nonConvexityRatio(x: xs, y: ys, numpySeed: seed)
        case .upward: return FunctionProperties.upward(x: xs, y: ys)
        case .yavg: return FunctionProperties.yAverage(y: ys)
        case .oscil: return FunctionProperties.oscillation(x: xs, y: ys)
        }
    }

    /// The property of every sample of a dataset: the stored value when the dataset carries this
    /// property, else computed on the sample's points (one-dimensional samples only).
    static func datasetProperty(_ interp: Interpreter, _ property: FunctionProperty, _ ds: DatasetValue, exact: Bool = false,
                                seed: UInt32 = 0, at range: SourceRange) throws -> [Double] {
        try ds.samples.enumerated().map { k, s in
            if k % 64 == 0 { try interp.tick(range) }
            if ds.property == property, let t = s.targetProperty { return t }
            guard s.x.first?.count == 1 else {
                throw Diagnostic(.value, "\(property.rawValue): sample \(k) has \(s.x.first?.count ?? 0) inputs; "
                    + "properties are defined for 1-D functions", at: range)
            }
            return try propertyValue(property, s.x.map { $0[0] }, s.y, exact: exact, seed: seed, at: range)
        }
    }
}

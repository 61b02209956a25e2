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
            \(name)(xs, ys): of points; \(name)(ds): of each sample of a dataset, as a vector.
            """) { interp, a in
            switch a.value("f") {
            case .object(let o as DatasetValue)?:
                var values: [Double] = []
                values.reserveCapacity(o.samples.count)
                for (k, s) in o.samples.enumerated() {
                    if k % 64 == 0 { try interp.tick(a.range) }
                    if o.property == property, let t = s.targetProperty {
                        values.append(t)
                    } else {
                        guard s.x.first?.count == 1 else {
                            throw Diagnostic(.value, "\(name): sample \(k) has \(s.x.first?.count ?? 0) inputs; "
                                + "properties are defined for 1-D functions", at: a.range("f"))
                        }
                        values.append(try propertyValue(property, s.x.map { $0[0] }, s.y, a))
                    }
                }
                return .array(NDArray(vector: values))
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
            default:
                throw a.typeError("f", "a function, an expression, a vector of x or a dataset")
            }
        }
    }

    /// The property of points, checking that there are enough and that they are finite.
    static func propertyValue(_ property: FunctionProperty, _ xs: [Double], _ ys: [Double], _ a: BoundArguments)
        throws -> Double
    {
        let name = property.rawValue
        guard xs.count >= 3 else {
            throw Diagnostic(.value, "\(name): needs at least 3 points, got \(xs.count)", at: a.range("f"))
        }
        if let bad = xs.indices.first(where: { !xs[$0].isFinite || !ys[$0].isFinite }) {
            throw Diagnostic(.domain, "\(name): point \(bad) is not finite (x = \(formatNumber(xs[bad])), "
                + "y = \(formatNumber(ys[bad])))", at: a.range("f"))
        }
        switch property {
        case .ncr:
            if try a.bool("exact") { return FunctionProperties.exactNonConvexityRatio(x: xs, y: ys).ratio }
            return FunctionProperties.nonConvexityRatio(x: xs, y: ys, numpySeed: try a.seed("seed"))
        case .upward: return FunctionProperties.upward(x: xs, y: ys)
        case .yavg: return FunctionProperties.yAverage(y: ys)
        case .oscil: return FunctionProperties.oscillation(x: xs, y: ys)
        }
    }
}

import SnipMath

/// Typed accessors for the SNIP built-ins' arguments, reporting type errors at the argument.
extension BoundArguments {
    /// An expression: a SNIP expression, or a function converted as `expr` converts it.
    func expression(_ name: String, _ interp: Interpreter) throws -> SymbolicFunction {
        switch value(name) {
        case .function(.expression(let s))?: return s
        case .function(let f)?:
            let e = try ExpressionConversion(interpreter: interp).convert(f, at: range(name))
            try ExpressionDepth.check(ExpressionDepth.of(e), "the expression of '\(f.name)'", at: range(name))
            return SymbolicFunction(e)
        case .string?:
            throw Diagnostic(.type, "'\(builtin.name)': argument '\(name)' must be an expression or a function, "
                + "not a string (parse_prefix(\"add,x_0,1\") reads a prefix string)", at: range(name))
        default: throw typeError(name, "an expression or a function")
        }
    }

    func object<T: ScriptObject>(_ name: String, _ type: T.Type, _ expected: String) throws -> T {
        guard case .object(let o)? = value(name), let t = o as? T else { throw typeError(name, expected) }
        return t
    }

    func dataset(_ name: String) throws -> DatasetValue {
        try object(name, DatasetValue.self, "a dataset (from dataset or load_data)")
    }

    func model(_ name: String) throws -> ModelValue {
        try object(name, ModelValue.self, "a model (from model or load_model)")
    }

    func predictor(_ name: String) throws -> PredictorValue {
        try object(name, PredictorValue.self, "a predictor (from fit_property)")
    }

    /// A property name ("ncr", "upward", "yavg", "oscil"), or nil when left out.
    func property(_ name: String) throws -> FunctionProperty? {
        guard let s = try optionalString(name) else { return nil }
        guard let p = FunctionProperty(rawValue: s) else {
            throw Diagnostic(.value, "'\(builtin.name)': unknown property \"\(s)\" (the properties are "
                + FunctionProperty.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ") + ")", at: range(name))
        }
        return p
    }

    /// A seed for the generators (a whole number in 0 … 2³²−1).
    func seed(_ name: String) throws -> UInt32 {
        UInt32(try int(name, min: 0, max: Int(UInt32.max)))
    }
}

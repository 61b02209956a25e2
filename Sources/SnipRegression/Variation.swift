/// The search's genetic operators: subtree crossover and mutations, all cutting and splicing
/// ranges of prefix nodes, so every result is a well-formed tree.
public struct Variation: Sendable {
    /// Where new nodes come from.
    public var grammar: FormulaGrammar
    /// The most nodes of a result.
    public var maxLength: Int
    /// The deepest result.
    public var maxDepth: Int

    /// Operators that keep results within `maxLength` nodes and `maxDepth` levels.
    public init(grammar: FormulaGrammar, maxLength: Int, maxDepth: Int) {
        self.grammar = grammar
        self.maxLength = maxLength
        self.maxDepth = maxDepth
    }

    /// Whether a formula fits the size limits.
    public func fits(_ f: Formula) -> Bool { f.complexity <= maxLength && f.depth <= maxDepth }

    /// A random node index, biased (90 %) towards operators when the formula has some.
    public func pickNode(_ f: Formula, _ random: inout RegressionRandom) -> Int {
        let operators = f.nodes.indices.filter { f.nodes[$0].arity > 0 }
        if !operators.isEmpty && random.chance(0.9) {
            return operators[random.index(operators.count)]
        }
        return random.index(f.complexity)
    }

    /// `f` with the subtree at `index` replaced by `subtree`.
    public func replacing(_ f: Formula, at index: Int, with subtree: ArraySlice<Formula.Node>)
        -> Formula
    {
        f.replacingSubtree(at: index, with: subtree)
    }

    /// Subtree crossover: a subtree of `a` replaced by a subtree of `b` (a copy of `a` when no
    /// try fits the limits).
    public func crossover(_ a: Formula, _ b: Formula, _ random: inout RegressionRandom) -> Formula {
        for _ in 0..<6 {
            let i = pickNode(a, &random)
            let j = pickNode(b, &random)
            let child = replacing(a, at: i, with: b.nodes[j..<b.subtreeEnd(j)])
            if fits(child) { return child }
        }
        return a
    }

    /// One random mutation (a copy of `f` when no try fits the limits).
    public func mutate(_ f: Formula, _ random: inout RegressionRandom) -> Formula {
        for _ in 0..<6 {
            let child: Formula
            switch random.index(6) {
            case 0: child = pointMutation(f, &random)
            case 1: child = constantMutation(f, &random)
            case 2: child = subtreeMutation(f, &random)
            case 3: child = hoistMutation(f, &random)
            case 4: child = insertMutation(f, &random)
            default: child = removeMutation(f, &random)
            }
            if fits(child) && child != f { return child }
        }
        return f
    }

    /// Changes one node: an operator into another of its arity, a leaf into a new leaf.
    public func pointMutation(_ f: Formula, _ random: inout RegressionRandom) -> Formula {
        var g = f
        let i = random.index(f.complexity)
        g.nodes[i] = grammar.replacement(for: f.nodes[i], &random)
        return g
    }

    /// Changes one constant a little or anew (a point mutation when there is none).
    public func constantMutation(_ f: Formula, _ random: inout RegressionRandom) -> Formula {
        let constants = f.nodes.indices.filter {
            if case .constant = f.nodes[$0] { true } else { false }
        }
        guard !constants.isEmpty else { return pointMutation(f, &random) }
        let i = constants[random.index(constants.count)]
        guard case .constant(let c) = f.nodes[i] else { return f }
        var g = f
        g.nodes[i] = .constant(
            random.chance(0.5) ? c * (1 + 0.2 * random.normal()) : grammar.constant(&random))
        return g
    }

    /// Replaces a subtree with a new random one.
    public func subtreeMutation(_ f: Formula, _ random: inout RegressionRandom) -> Formula {
        let i = random.index(f.complexity)
        let room = maxLength - f.complexity + (f.subtreeEnd(i) - i)
        let fresh = grammar.tree(
            maxDepth: Swift.min(4, maxDepth), maxLength: Swift.max(1, Swift.min(room, 9)), &random)
        return replacing(f, at: i, with: fresh.nodes[...])
    }

    /// Replaces a subtree with one of its own subtrees.
    public func hoistMutation(_ f: Formula, _ random: inout RegressionRandom) -> Formula {
        let i = pickNode(f, &random)
        let end = f.subtreeEnd(i)
        guard end - i > 1 else { return f }
        let j = i + 1 + random.index(end - i - 1)
        return replacing(f, at: i, with: f.nodes[j..<f.subtreeEnd(j)])
    }

    /// Puts an operator above a subtree: unary(s), or binary(s, leaf) / binary(leaf, s).
    public func insertMutation(_ f: Formula, _ random: inout RegressionRandom) -> Formula {
        let i = random.index(f.complexity)
        let subtree = f.nodes[i..<f.subtreeEnd(i)]
        let op = grammar.operatorNode(&random)
        var inserted: [Formula.Node] = [op]
        if op.arity == 1 {
            inserted += subtree
        } else if random.chance(0.5) {
            inserted += subtree
            inserted.append(grammar.leaf(&random))
        } else {
            inserted.append(grammar.leaf(&random))
            inserted += subtree
        }
        return replacing(f, at: i, with: inserted[...])
    }

    /// Replaces an operator by one of its operands (for a binary one, drops the other).
    public func removeMutation(_ f: Formula, _ random: inout RegressionRandom) -> Formula {
        let operators = f.nodes.indices.filter { f.nodes[$0].arity > 0 }
        guard !operators.isEmpty else { return f }
        let i = operators[random.index(operators.count)]
        var child = i + 1
        if f.nodes[i].arity == 2 && random.chance(0.5) { child = f.subtreeEnd(i + 1) }
        return replacing(f, at: i, with: f.nodes[child..<f.subtreeEnd(child)])
    }
}

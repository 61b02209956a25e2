import SnipMath

/// What the search may build formulas from, and how it draws random ones.
public struct FormulaGrammar: Sendable {
    /// The binary operators.
    public var binary: [BinaryOperator]
    /// The unary operators.
    public var unary: [UnaryOperator]
    /// Variables x_0 … x_(dimension − 1).
    public var dimension: Int
    /// The chance that a new leaf is a variable.
    public var variableLeafRate: Double
    /// The chance that a new operator is unary.
    public var unaryRate: Double

    /// The grammar of a search's options over `dimension` variables.
    public init(options: RegressionOptions, dimension: Int) {
        binary = options.binaryOperators.isEmpty ? [.add] : options.binaryOperators
        unary = options.unaryOperators
        self.dimension = dimension
        variableLeafRate = options.variableLeafRate
        unaryRate = unary.isEmpty ? 0 : options.unaryRate
    }

    /// A random leaf.
    public func leaf(_ random: inout RegressionRandom) -> Formula.Node {
        random.chance(variableLeafRate)
            ? .variable(random.index(dimension)) : .constant(constant(&random))
    }

    /// A random starting constant.
    public func constant(_ random: inout RegressionRandom) -> Double {
        (random.uniform(-2, 2) * 100).rounded() / 100
    }

    /// A random operator node.
    public func operatorNode(_ random: inout RegressionRandom) -> Formula.Node {
        random.chance(unaryRate)
            ? .unary(unary[random.index(unary.count)])
            : .binary(binary[random.index(binary.count)])
    }

    /// A random tree grown to at most `maxDepth` levels and about `maxLength` nodes (it stops
    /// opening new operators once the budget is spent).
    public func tree(maxDepth: Int, maxLength: Int, _ random: inout RegressionRandom) -> Formula {
        var nodes: [Formula.Node] = []
        // depths of the open slots, filled in prefix order
        var open: [Int] = [1]
        while let depth = open.popLast() {
            // each open slot needs at least one more node
            let budget = maxLength - nodes.count - open.count
            let leafChance = depth == 1 ? 0.0 : 0.3
            if depth >= maxDepth || budget < 3 || random.chance(leafChance) {
                nodes.append(leaf(&random))
            } else {
                let node = operatorNode(&random)
                nodes.append(node)
                for _ in 0..<node.arity { open.append(depth + 1) }
            }
        }
        return Formula(nodes: nodes)
    }

    /// Another operator of the same arity as `node` (itself when there is no other).
    public func replacement(for node: Formula.Node, _ random: inout RegressionRandom)
        -> Formula.Node
    {
        switch node {
        case .unary(let op):
            let others = unary.filter { $0 != op }
            return others.isEmpty ? node : .unary(others[random.index(others.count)])
        case .binary(let op):
            let others = binary.filter { $0 != op }
            return others.isEmpty ? node : .binary(others[random.index(others.count)])
        default: return leaf(&random)
        }
    }
}

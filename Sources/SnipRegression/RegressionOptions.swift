import SnipMath

/// The settings of a symbolic-regression search (``SymbolicRegression/fit(_:options:proposals:progress:)``).
public struct RegressionOptions: Sendable {
    /// Stop after this many seconds (`nil`: no time limit; then set ``maxGenerations``).
    public var timeLimit: Double? = 60
    /// Stop after this many generations (`nil`: no limit).
    public var maxGenerations: Int? = nil
    /// Stop as soon as the best formula's R² on the training data reaches this (`nil`: use the
    /// whole budget).
    public var targetR2: Double? = 0.99
    /// The seed of every random choice.
    public var seed: UInt64 = 0
    /// The threads that evaluate offspring (1: one thread, reproducible for a seed even with a
    /// time limit as long as the search ends by generations or target).
    public var threads = 1
    /// The number of formulas kept from one generation to the next.
    public var populationSize = 300
    /// The number of formulas in a selection tournament.
    public var tournamentSize = 5
    /// The most prefix tokens of a formula in the population (the final formula adds up to 4
    /// for its linear scaling `a + b·f`).
    public var maxLength = 36
    /// The deepest formula in the population.
    public var maxDepth = 10
    /// The chance that an offspring comes from crossover (else it is a copy of its parent).
    public var crossoverRate = 0.9
    /// The chance that an offspring is then mutated.
    public var mutationRate = 0.35
    /// The Levenberg–Marquardt iterations on each offspring's constants (0: none).
    public var constantIterations = 5
    /// The points used to fit each offspring's constants (a fixed random subset).
    public var fittingPoints = 200
    /// The points used to score each offspring (a fixed random subset; the Pareto front and
    /// the final formula are scored on all points).
    public var scoringPoints = 1000
    /// The fitness penalty per prefix token (fitness = 1 − R² + parsimony · complexity).
    public var parsimony = 1e-5
    /// The result is the simplest formula of the front whose unexplained variance (1 − R²) is
    /// at most this fraction above the most accurate one's: with noisy data, extra terms that
    /// fit the noise buy almost nothing and are left out.
    public var selectionTolerance = 0.02
    /// The binary operators formulas may use.
    public var binaryOperators: [BinaryOperator] = [.add, .sub, .mul, .div]
    /// The unary operators formulas may use.
    public var unaryOperators: [UnaryOperator] = [.pow2, .pow3, .sqrt, .exp, .log, .sin, .cos]
    /// The chance that a new leaf is a variable (else a constant).
    public var variableLeafRate = 0.65
    /// The chance that a new operator node is unary (else binary).
    public var unaryRate = 0.3

    /// The defaults: 60 s, target R² 0.99, seed 0, one thread.
    public init() {}

    /// Options with a time limit and a seed.
    public init(timeLimit: Double?, seed: UInt64 = 0, threads: Int = 1) {
        self.timeLimit = timeLimit
        self.seed = seed
        self.threads = threads
    }
}

import Foundation
import SnipMath
import SnipModel
import SnipNN
import SnipSystem
import SnipTensor

extension Builtins {
    static let training: [Builtin] = [
        Builtin("pretrain", .models, [.req("m"), .def("steps", .number(100)), .def("batch", .number(16)),
                                      .def("lr", .number(1e-4)), .opt("warmup"), .def("seed", .number(0)), .opt("dir")],
                doc: """
            CLIP pre-training of the model in place on freshly generated expressions and their points \
            (the reference's objective): steps updates of batch samples, learning rate lr after warmup steps \
            (default steps/10). The run (settings, metrics.jsonl, checkpoint) goes to dir, a new temporary \
            folder when left out; `snip pretrain --resume DIR` continues it. Returns the run: run["loss"], \
            run["step"], run["dir"]. Ctrl-C stops after the current step and keeps what was learned.
            """) { interp, a in
            let m = try a.model("m")
            let steps = try a.int("steps", min: 1, max: 10_000_000)
            var options = PretrainingOptions()
            options.batchSize = try a.int("batch", min: 2, max: 4096)
            options.learningRate = try positive(a, "lr")
            options.warmup = a.value("warmup") == nil ? max(1, steps / 10) : try a.int("warmup", min: 1, max: 10_000_000)
            options.checkpointEvery = steps
            let seed = try a.seed("seed")
            guard interp.allowsFiles else { throw Diagnostic(.file, "pretrain: files are disabled here", at: a.range) }
            let directory = try a.optionalString("dir").map(interp.resolvePath)
                ?? ((interp.environment["TMPDIR"] ?? NSTemporaryDirectory()) as NSString)
                    .appendingPathComponent("snip-pretrain-\(UUID().uuidString.prefix(8))")
            let spec = PretrainingDataSpec(
                maxInputDimension: m.model.config.maxInputDimension, normalizeY: m.normalizesY, skeleton: false,
                sortPoints: m.model.contract.sortsPoints)
            var stepNumbers: [Double] = [], losses: [Double] = [], rates: [Double] = []
            let stop: TrainingStop
            do {
                let trainer = try Pretrainer(model: m.model, options: options, directory: directory, seed: UInt64(seed),
                                             data: spec)
                let data = try spec.trainingData(config: m.model.config, seed: UInt64(seed))
                defer { interp.progress?(nil) }
                stop = try trainer.train(data: data, steps: steps, progress: { metrics in
                    stepNumbers.append(Double(metrics.step))
                    losses.append(metrics.loss)
                    rates.append(metrics.samplesPerSecond)
                    interp.progress?(String(format: "pretrain: step %d of %d, loss %.4f, %.0f samples/s",
                                            metrics.step, steps, metrics.loss, metrics.samplesPerSecond))
                }, shouldStop: { Interrupt.isPending })
            } catch {
                throw Diagnostic(.value, "pretrain: \(error)", at: a.range)
            }
            m.isPretrained = true
            if stop == .interrupted {
                throw Diagnostic(.interrupted, "pretrain interrupted after \(losses.count) of \(steps) steps; the model keeps "
                    + "what it learned (checkpoint in \(directory))", at: a.range)
            }
            let speed = rates.isEmpty ? 0 : rates.sorted()[rates.count / 2]
            return .object(TrainingRunValue(directory: directory, steps: stepNumbers, losses: losses, samplesPerSecond: speed))
        },
        Builtin("fit_property", .models, [.req("m"), .req("ds"), .opt("property"), .def("freeze", .bool(false)),
                                          .def("steps", .number(200)), .def("batch", .number(16)), .def("lr", .number(1e-4)),
                                          .def("seed", .number(0))], doc: """
            Trains a property predictor (a 2-layer head on the symbolic encoder, MSE) on a dataset and returns \
            it; m itself is not changed. With a pre-trained m the encoder is fine-tuned, or kept fixed with \
            freeze=true; with a new model (model("small")) it learns from scratch (the paper's supervised \
            baseline). property defaults to the dataset's. Ctrl-C stops the training and returns the \
            predictor trained so far.
            """) { interp, a in
            let m = try a.model("m")
            let ds = try a.dataset("ds")
            guard let property = try a.property("property") ?? ds.property else {
                throw Diagnostic(.value, "fit_property: name the property (property=\"ncr\"); the dataset carries none",
                                 at: a.range)
            }
            let steps = try a.int("steps", min: 1, max: 10_000_000)
            var options = PropertyTrainingOptions()
            options.batchSize = try a.int("batch", min: 1, max: 4096)
            options.learningRate = try positive(a, "lr")
            options.warmup = 0
            let seed = UInt64(try a.int("seed", min: 0, max: Int(UInt32.max)))
            let examples = try propertyExamples(interp, m, ds, property, a)
            let copy = try copyModel(m.model, headSeed: seed, at: a.range)
            let mode: PropertyTrainingMode = try a.bool("freeze") ? .frozen : m.isPretrained ? .fineTuned : .supervised
            let trainer = PropertyTrainer(model: copy, mode: mode, options: options)
            var losses: [Double] = []
            defer { interp.progress?(nil) }
            let stop = try trainer.train(data: ExampleList(examples), steps: steps, progress: { step, outcome in
                losses.append(outcome.loss)
                if step % 5 == 0 || step == steps {
                    interp.progress?(String(format: "fit_property: step %d of %d, loss %.4g", step, steps, outcome.loss))
                }
            }, shouldStop: { Interrupt.isPending })
            if stop == .interrupted {
                // Ctrl-C ends the training, not the program: the predictor so far is the result
                Interrupt.clear()
                interp.progress?(nil)
                interp.output("fit_property: stopped by Ctrl-C after \(losses.count) of \(steps) steps; "
                    + "returning the predictor trained so far\n")
            }
            return .object(PredictorValue(model: copy, property: property, mode: mode, losses: losses))
        },
        Builtin("predict", .models, [.req("h"), .req("f")], doc: """
            A predictor's estimate of its property: a number for an expression or function, a vector for a \
            list of expressions or a dataset.
            """) { interp, a in
            let h = try a.predictor("h")
            let expressions: [SymbolicExpression]
            var single = false
            switch a.value("f") {
            case .object(let ds as DatasetValue)?: expressions = ds.samples.map(\.tree)
            case .list(let items)?:
                expressions = try items.map { v in
                    guard case .function(let f) = v else { throw a.typeError("f", "a list of expressions") }
                    return try ExpressionConversion(interpreter: interp).convert(f, at: a.range("f"))
                }
            default:
                expressions = [try a.expression("f", interp).expression]
                single = true
            }
            let values = try predictions(interp, h, expressions, at: a.range("f"))
            return single ? .number(values[0]) : .array(NDArray(vector: values))
        },
        Builtin("evaluate", .models, [.req("h"), .req("ds")], doc: """
            How well a predictor does on a dataset: a record with "count", "r2", "mse", "nmse", "acc" (the \
            share within 0.01, 0.1 and 1 of the truth after min-max scaling), "chance" (the same for always \
            predicting the mean), "predicted" and "true".
            """) { interp, a in
            let h = try a.predictor("h")
            let ds = try a.dataset("ds")
            let truths = try datasetProperty(interp, h.property, ds, at: a.range("ds"))
            let predicted = try predictions(interp, h, ds.samples.map(\.tree), at: a.range("ds"))
            let metrics = PropertyMetrics(predictions: predicted, truths: truths)
            return .object(Record("metrics", [
                ("count", .number(Double(metrics.count))), ("r2", .number(metrics.r2)), ("mse", .number(metrics.mse)),
                ("nmse", .number(metrics.nmse)), ("acc", .array(NDArray(vector: metrics.accuracy))),
                ("chance", .array(NDArray(vector: metrics.chanceAccuracy))),
                ("predicted", .array(NDArray(vector: predicted))), ("true", .array(NDArray(vector: truths))),
            ]))
        },
    ]

    static func positive(_ a: BoundArguments, _ name: String) throws -> Double {
        let x = try a.number(name)
        guard x.isFinite, x > 0 else {
            throw Diagnostic(.value, "'\(a.builtin.name)': \(name) must be a positive number, not \(formatNumber(x))",
                             at: a.range(name))
        }
        return x
    }

    /// A model with the same weights (and a fresh head from `headSeed`), so training it leaves the original alone.
    static func copyModel(_ model: SNIPModel, headSeed: UInt64, at range: SourceRange) throws -> SNIPModel {
        do {
            let copy = try SNIPModel(config: model.config, seed: headSeed)
            let fresh = copy.propertyHead.stateDict()
            try copy.load(stateDict: model.stateDict())
            try copy.propertyHead.load(stateDict: fresh)
            return copy
        } catch {
            throw Diagnostic(.value, "cannot copy the model: \(error)", at: range)
        }
    }

    static func propertyExamples(_ interp: Interpreter, _ m: ModelValue, _ ds: DatasetValue, _ property: FunctionProperty,
                                 _ a: BoundArguments) throws -> [TrainingExample] {
        guard !ds.samples.isEmpty else { throw Diagnostic(.value, "'\(a.builtin.name)': the dataset is empty", at: a.range("ds")) }
        let targets = try datasetProperty(interp, property, ds, at: a.range("ds"))
        let tokenizer = m.model.tokenizer
        return try zip(ds.samples, targets).enumerated().map { k, pair in
            do {
                let ids = try tokenizer.expressionIDs(pair.0)
                return TrainingExample(expressionTokens: ids, pointTokens: [], property: pair.1)
            } catch {
                throw Diagnostic(.value, "'\(a.builtin.name)': sample \(k): \(error)", at: a.range("ds"))
            }
        }
    }

    static func predictions(_ interp: Interpreter, _ h: PredictorValue, _ expressions: [SymbolicExpression],
                            at range: SourceRange) throws -> [Double] {
        let ids = try expressionIDs(h.model, expressionSamples(expressions), at: range)
        var out: [Double] = []
        for start in stride(from: 0, to: ids.count, by: 64) {
            if Interrupt.isPending { throw Diagnostic(.interrupted, "interrupted while predicting", at: range) }
            out += PropertyTrainer.predict(model: h.model, expressions: Array(ids[start..<min(ids.count, start + 64)]))
        }
        return out
    }
}

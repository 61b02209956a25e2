import ArgumentParser
import SnipModel
import SnipTensor

/// The `snip` command line: a thin front over the snip libraries.
@main
struct Snip: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snip",
        abstract: "Symbolic-numeric embeddings of math functions (a Swift re-creation of SNIP).",
        discussion: """
            snip generates random functions the way SNIP does, embeds them with SNIP encoders, \
            trains and evaluates models, and runs .snip scripts and notebooks.

            Threads: SNIP_THREADS sets the number of compute threads (default: all cores).
            BLAS: OpenBLAS, unless SNIP_BLAS_LIBRARY names another CBLAS library (e.g. MKL's \
            libmkl_rt.so); `snip info` says which.
            """,
        version: SnipVersion.string,
        subcommands: [
            Repl.self, Run.self, NotebookCommand.self, GenerateCommand.self, ConvertCommand.self,
            EmbedCommand.self, PretrainCommand.self, TrainPropertyCommand.self, EvalPropertyCommand.self,
            RetrievalCommand.self, EvaluateModelCommand.self, RegressCommand.self, TrainDecoderCommand.self, EvaluateDecoderCommand.self, Info.self,
        ],
        defaultSubcommand: Repl.self
    )
}

/// `snip info`: what this build links against and how many threads it uses.
struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the version, the BLAS library and the thread count.")

    func run() throws {
        print("snip \(SnipVersion.string)")
        print("BLAS: \(Runtime.blasDescription)")
        print("threads: \(Runtime.threadCount)")
    }
}

import ArgumentParser
import EvaluationCommands
import Parallax

@main
struct ParallaxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parallax",
        abstract: "Stereo visual odometry and SLAM.",
        version: ParallaxInfo.version,
        subcommands: [RunCommand.self, VocabCommand.self, DatasetCommand.self, EvalCommand.self, PgoCommand.self, SynthCommand.self, DemoCommand.self, ViewCommand.self, BatchCommand.self, BenchCommand.self]
    )

    static func main() { mainWithPrintableErrors() }
}

import ArgumentParser
import EvaluationCommands

/// `parallax-eval`: the verbs of `parallax eval` as a standalone tool without OpenCV, for fast
/// scripted evaluation (`parallax-eval ape kitti gt.txt est.txt -a`).
@main
struct ParallaxEval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parallax-eval",
        abstract: EvalCommand.configuration.abstract,
        subcommands: EvalCommand.configuration.subcommands
    )

    static func main() { mainWithPrintableErrors() }
}

import ArgumentParser
import Parallax

@main
struct ParallaxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parallax",
        abstract: "Stereo visual odometry and SLAM.",
        version: ParallaxInfo.version,
        subcommands: [PgoCommand.self]
    )
}

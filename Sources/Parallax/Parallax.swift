// The façade module: one import for embedders and the CLI.
//
//     import Parallax
//
// re-exports every pipeline stage's public API.
@_exported import Datasets
@_exported import Frontend
@_exported import Odometry
@_exported import Evaluation
@_exported import Geometry
@_exported import PoseGraph
@_exported import LoopClosure
@_exported import Pipeline
@_exported import RunReport
@_exported import Synthetic
@_exported import Trajectories

/// Library version.
public enum ParallaxInfo {
    public static let version = "0.1.0"
}

// The overlay text for the step an EpisodeSource is at: task, source,
// episode, step, true reward and return, learned reward when there is one.
#pragma once

#include "viewer/episode_source.h"
#include "viewer/scene_renderer.h"

namespace irlab::viewer {

OverlayText StepOverlay(const EpisodeSource& source);

}  // namespace irlab::viewer

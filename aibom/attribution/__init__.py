"""Line-level attribution: which lines of which blobs each contributor wrote."""

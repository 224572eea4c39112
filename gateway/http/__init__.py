"""HTTP kernels shared by the edge and the central store: headers, validators, content codings."""

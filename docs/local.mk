# SPDX-License-Identifier: ISC
EXTRA_DIST += docs

// CFuzzerEntry: nothing to import; the module exists for its C entry point (see CFuzzerEntry.c).
#pragma once

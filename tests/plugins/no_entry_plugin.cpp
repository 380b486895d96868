// A library named like a plugin without the entry point: the host must refuse it.
extern "C" __attribute__((visibility("default"))) int not_the_entry_point() {
  return 0;
}

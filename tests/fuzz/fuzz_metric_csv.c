/* imsctl's metric sample CSV reader (client/cli/metric_csv.h), at a fixed "now". */
#include <stdint.h>

#include "metric_csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    imsctl_samples samples = {0};
    char err[256];
    (void)imsctl_csv_parse((const char *)data, size, 1767225600, &samples, err, sizeof err);
    imsctl_samples_free(&samples);
    return 0;
}

/* ims-eval: imsctl eval alone, without the client library: a driver for tests and scripts. */
#include "eval_file.h"

int main(int argc, char **argv)
{
    return imsctl_eval_file(argc, argv, stdout, stderr);
}

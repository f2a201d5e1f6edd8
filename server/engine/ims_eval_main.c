/* ims-eval: a test driver for the offline evaluation (imsctl eval). */
#include "eval_cli.h"

int main(int argc, char **argv)
{
    return engine_cli_eval(argc, argv, stdout, stderr);
}

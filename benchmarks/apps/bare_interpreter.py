"""A bare interpreter: times a failing import and nothing else."""

from common import arguments, time_failed_import

if __name__ == "__main__":
    args = arguments(__doc__ or "").parse_args()
    time_failed_import(args.repeat)

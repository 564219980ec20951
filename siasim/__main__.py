from siasim.cli import main

main()

from livinglab.cli import main

main()

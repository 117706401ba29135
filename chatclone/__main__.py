from chatclone.cli import main

main()
